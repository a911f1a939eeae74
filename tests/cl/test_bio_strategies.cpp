// The bio-inspired strategies: hippocampal replay (a KeyValueMemory store recalled by content) and
// the Hebbian (class-mean) readout, each against naive fine-tuning on small synthetic streams.
#include <cl/cl_test_util.h>

#include <engram/cl/hebbian_readout.h>
#include <engram/cl/hippocampal_replay.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <iostream>

namespace engram {
namespace {

train::TrainerConfig config() {
  train::TrainerConfig c;
  c.iterations = 300;
  c.batch_size = 32;
  c.lr = 1e-3;
  c.seed = 7;
  return c;
}

// Four 6x6 class prototypes with Gaussian noise, 150 training samples per class.
data::SyntheticDatasetOptions four_prototypes(int64_t test_per_class, double noise) {
  data::SyntheticDatasetOptions o;
  o.num_classes = 4;
  o.rows = 6;
  o.cols = 6;
  o.train_per_class = 150;
  o.test_per_class = test_per_class;
  o.noise = noise;
  o.seed = 3;
  return o;
}

void print(const char* name, const train::RunResult& r) {
  std::cout << name << ": R00 " << r.accuracy[0][0] << " R10 " << r.accuracy[1][0] << " R11 "
            << r.accuracy[1][1] << " BWT " << r.metrics.bwt << " ACC " << r.metrics.acc << "\n";
}

TEST(HippocampalReplay, ForgetsLessThanNaiveOnTwoPermutedTasks) {
  const auto stream = testing::two_task_stream();
  const auto naive = testing::run_strategy(stream, "naive", {}, config());
  const auto hippo =
      testing::run_strategy(stream, "hippocampal-replay", {{"buffer_size", 200}}, config());
  print("naive", naive);
  print("hippocampal-replay", hippo);
  ASSERT_LT(naive.metrics.bwt, -0.25)
      << "the fixture must forget for the comparison to mean anything";
  EXPECT_GT(hippo.metrics.bwt, naive.metrics.bwt + 0.1);
  EXPECT_GT(hippo.accuracy[1][1], 0.6);
}

TEST(HippocampalReplay, StoresAUniformSampleAndRecallsByContent) {
  at::set_num_threads(1);
  // Little noise around the class prototypes, so that the content of a cue is what tells the
  // tasks apart (two permutations of the same four prototypes).
  const data::SyntheticDatasetOptions o = four_prototypes(/*test_per_class=*/10, /*noise=*/0.15);
  const auto stream =
      data::make_permuted_stream(data::make_synthetic_dataset(o), data::Scenario::kDomain, {2, 3});
  auto strategy = cl::make_strategy("hippocampal-replay", {{"buffer_size", 100}, {"beta", 50}}, 1);
  auto& hippo = dynamic_cast<cl::HippocampalReplayStrategy&>(*strategy);
  cl::StrategyContext ctx;
  ctx.stream = &stream;
  ctx.generator = at::make_generator<at::CPUGeneratorImpl>(5);
  hippo.begin(ctx);
  // 2000 samples of task 0 then 2000 of task 1, in batches of 20.
  for (int64_t t = 0; t < 2; ++t) {
    const auto& split = stream.task(t).train;
    for (int64_t b = 0; b < 100; ++b) {
      const at::Tensor pos = at::randint(split.size(), {20}, ctx.generator, at::kLong);
      cl::Batch batch{split.images_at(pos), split.targets_at(pos), at::full({20}, t, at::kLong)};
      hippo.compose_batch(ctx, batch);
      hippo.after_step(ctx, batch);
    }
  }
  EXPECT_EQ(hippo.seen(), 4000);
  EXPECT_EQ(hippo.stored(), 100);
  // Reservoir storage: about half of the memory holds task 0 (binomial sd 5 items).
  const at::Tensor tasks = hippo.memory()->state().values[0].select(1, 1);
  const double task0 = (tasks == 0).sum().item<double>();
  EXPECT_GT(task0, 30);
  EXPECT_LT(task0, 70);
  // A sharp cue from task 0 recalls mostly task-0 items; one from task 1, task-1 items.
  for (int64_t t = 0; t < 2; ++t) {
    const auto& split = stream.task(t).train;
    const at::Tensor pos = at::arange(0, 32, at::kLong);
    cl::Batch cue{split.images_at(pos), split.targets_at(pos), at::full({32}, t, at::kLong)};
    const cl::Batch composed = hippo.compose_batch(ctx, cue);
    ASSERT_EQ(composed.size(), 64);
    const double same =
        (composed.task.narrow(0, 32, 32) == t).to(at::kDouble).mean().item<double>();
    EXPECT_GT(same, 0.8) << "cue from task " << t;
  }
}

TEST(HebbianReadout, KeepsOldClassesInClassIncrementalLearning) {
  const data::SyntheticDatasetOptions o = four_prototypes(/*test_per_class=*/100, /*noise=*/0.6);
  const auto stream = data::make_split_stream(data::make_synthetic_dataset(o),
                                              data::Scenario::kClass, {2, false, 0});
  const auto naive = testing::run_strategy(stream, "naive", {}, config());
  const auto hebb = testing::run_strategy(stream, "hebbian-readout", {}, config());
  print("naive", naive);
  print("hebbian-readout", hebb);
  ASSERT_LT(naive.metrics.bwt, -0.5) << "class-IL naive fine-tuning forgets the first classes";
  EXPECT_GT(hebb.metrics.bwt, naive.metrics.bwt + 0.3);
  EXPECT_GT(hebb.accuracy[1][1], 0.3) << "new classes are still read out from the frozen body";
  EXPECT_GT(hebb.metrics.acc, naive.metrics.acc + 0.05);
}

// Nothing trained by backprop: Hebbian (soft winner-take-all) features, learnt on the first task
// and then frozen, and the class-mean readout.
TEST(HebbianReadout, LearnsWithoutBackpropOnHebbianFeatures) {
  at::set_num_threads(1);
  const data::SyntheticDatasetOptions o = four_prototypes(/*test_per_class=*/100, /*noise=*/0.6);
  const auto stream = data::make_split_stream(data::make_synthetic_dataset(o),
                                              data::Scenario::kClass, {2, false, 0});
  const auto preset = models::parse_preset(R"({"name": "hebb", "layers": [
      {"type": "hebbian_linear", "out_features": 64, "rule": "soft_wta", "activation": "relu",
       "learning_rate": 0.01}]})",
                                           "test");
  const int64_t in = stream.input_dim(), out = stream.num_outputs();
  auto run = [&](const std::string& name, const cl::OptionOverrides& hp) {
    auto strategy = cl::make_strategy(name, hp, 7);
    return train::run_continual(
        stream, *strategy, [&] { return models::build_network(preset, in, out); }, config());
  };
  const auto naive = run("naive", {});
  const auto hebb = run("hebbian-readout", {{"body_tasks", 1}});
  print("naive (hebbian features)", naive);
  print("hebbian-readout (hebbian features)", hebb);
  // Four classes: chance is 25%.
  EXPECT_GT(hebb.metrics.acc, 0.6);
  EXPECT_GT(hebb.accuracy[1][1], 0.5);
  EXPECT_GT(hebb.metrics.bwt, naive.metrics.bwt + 0.3);
}

TEST(HebbianReadout, HeadIsTheClassMeansAndBodyFreezesAfterBodyTasks) {
  at::set_num_threads(1);
  const auto stream = testing::two_task_stream();
  auto strategy = cl::make_strategy("hebbian-readout", {{"body_tasks", 0}}, 1);
  const auto preset = testing::small_mlp_preset(16);
  const int64_t in = stream.input_dim(), out = stream.num_outputs();
  models::Network before = models::build_network(preset, in, out);
  models::Network model = models::build_network(preset, in, out);
  models::copy_network_state(*before, *model);
  auto cfg = config();
  cfg.iterations = 20;
  train::run_continual(
      stream, *strategy, [&] { return model; }, cfg);
  // body_tasks = 0: backprop never moved the body.
  auto b = before->named_parameters();
  for (const auto& p : model->named_parameters()) {
    if (p.key().rfind("head", 0) != 0) {
      EXPECT_TRUE(at::equal(p.value(), b[p.key()])) << p.key();
    }
  }
  // The head is the readout of the class means: w_c = mu_c, b_c = -|mu_c|^2 / 2.
  const auto& hebb = dynamic_cast<const cl::HebbianReadoutStrategy&>(*strategy);
  const at::Tensor mu = hebb.sums() / hebb.counts().clamp_min(1).unsqueeze(1);
  EXPECT_EQ(hebb.counts().sum().item<double>(), 2.0 * 20 * cfg.batch_size);
  EXPECT_TRUE(at::allclose(model->head()->weight, mu));
  EXPECT_TRUE(at::allclose(model->head()->bias, -0.5 * mu.square().sum(1)));
}

} // namespace
} // namespace engram
