// Strategy-specific behaviour that the forgetting comparison does not pin down.
#include <cl/cl_test_util.h>

#include <engram/cl/fisher.h>
#include <engram/cl/lwf.h>
#include <engram/cl/xdg.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace engram {
namespace {

TEST(StrategyRegistry, UnknownNamesAndKeysAreErrors) {
  EXPECT_THROW(cl::make_strategy("ewk"), c10::Error);
  EXPECT_THROW(cl::make_strategy("ewc", {{"lamda", 1.0}}), c10::Error);
  auto s = cl::make_strategy("ewc", {{"lambda", 3.0}});
  EXPECT_DOUBLE_EQ(s->hyperparameters().at("lambda").value, 3.0);
  EXPECT_DOUBLE_EQ(s->hyperparameters().at("fisher_samples").value, 500.0);
  for (const auto& n : cl::strategy_names())
    EXPECT_EQ(cl::make_strategy(n)->name(), n);
}

// EWC sums one quadratic per task; its consolidated form must give the same value and gradient.
TEST(Ewc, ConsolidatedPenaltyEqualsTheSumOverTasks) {
  at::manual_seed(7);
  const std::vector<int64_t> shapes[] = {{5, 3}, {4}};
  std::vector<std::vector<at::Tensor>> fishers(3), anchors(3);
  for (size_t k = 0; k < fishers.size(); ++k) {
    for (const auto& shape : shapes) {
      fishers[k].push_back(at::rand(shape));
      anchors[k].push_back(at::randn(shape));
    }
    fishers[k][0].view(-1)[0] = 0; // an element no task constrains: A = 0 there
  }
  const auto consolidated = cl::consolidate_penalties(fishers, anchors);
  std::vector<at::Tensor> p1, p2;
  for (const auto& shape : shapes) {
    const at::Tensor theta = at::randn(shape);
    p1.push_back(theta.clone().requires_grad_());
    p2.push_back(theta.clone().requires_grad_());
  }
  at::Tensor summed = at::zeros({});
  for (size_t k = 0; k < fishers.size(); ++k)
    summed = summed + cl::quadratic_penalty(p1, fishers[k], anchors[k]);
  const at::Tensor one =
      cl::quadratic_penalty(p2, consolidated.weights, consolidated.anchors) + consolidated.offset;
  EXPECT_NEAR(one.item<double>(), summed.item<double>(), 1e-4 * summed.item<double>());
  summed.backward();
  one.backward();
  for (size_t i = 0; i < p1.size(); ++i)
    EXPECT_TRUE(at::allclose(p1[i].grad(), p2[i].grad(), 1e-5, 1e-5)) << "parameter " << i;
  EXPECT_EQ(consolidated.weights[0].view(-1)[0].item<float>(), 0.f);
  EXPECT_THROW(cl::consolidate_penalties(fishers, {}), c10::Error);
}

TEST(Xdg, GatesAreTaskSpecificAndRefusedOutsideTaskIL) {
  at::set_num_threads(1);
  const auto stream = testing::two_task_stream(data::Scenario::kTask);
  train::TrainerConfig cfg;
  cfg.iterations = 100;
  cfg.batch_size = 32;
  auto strategy = cl::make_strategy("xdg", {{"gated_fraction", 0.75}}, 1);
  const auto preset = testing::small_mlp_preset(64);
  auto make = [&] {
    return models::build_network(preset, stream.input_dim(), stream.num_outputs());
  };
  const auto r = train::run_continual(stream, *strategy, make, cfg);
  EXPECT_GT(r.accuracy[1][1], 0.75);
  const auto& gates = dynamic_cast<cl::XdgStrategy&>(*strategy).gates();
  ASSERT_EQ(gates.size(), 2u);
  EXPECT_EQ(gates[0].sizes(), (std::vector<int64_t>{2, 64}));
  EXPECT_EQ(gates[0][0].sum().item<float>(), 16.0f); // 25% of 64 kept
  EXPECT_FALSE(at::equal(gates[0][0], gates[0][1]));

  auto domain = cl::make_strategy("xdg");
  const auto dstream = testing::two_task_stream(data::Scenario::kDomain);
  EXPECT_THROW(train::run_continual(dstream, *domain, make, cfg), c10::Error);
}

TEST(Lwf, DistillationIsMinimalWhenStudentMatchesTeacher) {
  at::Tensor teacher = at::randn({4, 6}, at::kDouble);
  at::Tensor mask = at::ones({4, 6}, at::kBool);
  mask.select(1, 5).fill_(false);
  const double same = cl::distillation_loss(teacher, teacher, mask, 2.0).item<double>();
  const double other = cl::distillation_loss(teacher.flip(1), teacher, mask, 2.0).item<double>();
  EXPECT_LT(same, other);
  // Masked units do not matter.
  at::Tensor shifted = teacher.clone();
  shifted.select(1, 5).add_(100.0);
  EXPECT_NEAR(cl::distillation_loss(shifted, teacher, mask, 2.0).item<double>(), same, 1e-9);
}

TEST(Joint, BatchesMixAllTasksSeenSoFar) {
  const auto stream = testing::two_task_stream(data::Scenario::kTask);
  auto joint = cl::make_strategy("joint");
  cl::StrategyContext ctx;
  ctx.stream = &stream;
  ctx.task = 1;
  ctx.generator = at::make_generator<at::CPUGeneratorImpl>(0);
  cl::Batch current{at::zeros({256, stream.input_dim()}), at::zeros({256}, at::kLong),
                    at::ones({256}, at::kLong)};
  cl::Batch mixed = joint->compose_batch(ctx, current);
  EXPECT_EQ(mixed.size(), 256);
  const double share0 = mixed.task.eq(0).sum().item<double>() / 256.0;
  EXPECT_GT(share0, 0.35);
  EXPECT_LT(share0, 0.65);
}

} // namespace
} // namespace engram
