// The trainer's hook for model-level learning rules: a rule defined here that computes backprop's
// gradient reproduces a backprop run exactly, a strategy's penalty is still differentiated by
// autograd, a rule that sets no gradient leaves the weights alone, and Batch Manhattan steps by
// the sign of the gradient.
#include <engram/cl/strategy_registry.h>
#include <engram/data/benchmark.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/continual_trainer.h>
#include <engram/train/experiment.h>
#include <engram/train/learning_rule.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace engram::learning {
namespace {

// Backprop, written as a model-level rule.
void backprop_gradients(models::NetworkImpl& net, const at::Tensor& x, const TaskLoss& loss) {
  loss(net.forward(x)).backward();
}

} // namespace

ENGRAM_REGISTER_MODEL_RULE("test-backprop", "backprop as a model-level rule (tests)",
                           backprop_gradients);
ENGRAM_REGISTER_MODEL_RULE("test-no-gradient", "sets no gradient (tests)",
                           [](models::NetworkImpl&, const at::Tensor&, const TaskLoss&) {});

namespace {

const char* kMlp = R"({"name": "mlp", "layers": [{"type": "linear", "out_features": 32},
    {"type": "relu"}], "training": {"optimizer": "sgd", "lr": 0.05}})";

train::RunRecord run(const std::string& strategy, const std::string& learning,
                     const data::Dataset& dataset) {
  train::ExperimentSpec spec;
  spec.preset = models::parse_preset(kMlp);
  spec.benchmark = "split-synthetic";
  spec.scenario = "class";
  spec.strategy = strategy;
  spec.iterations = 30;
  spec.batch_size = 32;
  spec.progress = false;
  spec.learning = learning;
  if (strategy == "ewc")
    spec.overrides["lambda"] = 50; // with SGD at lr 0.05 the default (1e4) diverges
  return train::run_experiment(spec, dataset);
}

TEST(ModelRuleHook, BackpropAsAModelRuleReproducesBackprop) {
  const auto dataset =
      data::load_benchmark_dataset(data::parse_benchmark("split-synthetic"), "", 0);
  const auto bp = run("naive", "", dataset);
  const auto rule = run("naive", "test-backprop", dataset);
  EXPECT_EQ(rule.preset, "mlp+test-backprop");
  EXPECT_EQ(rule.learning, "test-backprop");
  ASSERT_TRUE(bp.result.complete() && rule.result.complete());
  EXPECT_EQ(bp.result.accuracy, rule.result.accuracy);
  EXPECT_EQ(bp.result.final_loss, rule.result.final_loss);
  EXPECT_GT(bp.result.accuracy.back()[4], 0.5); // it learned: chance is 0.1 over 10 units
}

TEST(ModelRuleHook, AStrategysPenaltyIsStillDifferentiatedByAutograd) {
  const auto dataset =
      data::load_benchmark_dataset(data::parse_benchmark("split-synthetic"), "", 0);
  // EWC adds a penalty from task 2 on; without it the runs would differ.
  const auto bp = run("ewc", "", dataset);
  const auto rule = run("ewc", "test-backprop", dataset);
  const auto naive = run("naive", "test-backprop", dataset);
  ASSERT_TRUE(bp.result.complete() && rule.result.complete());
  for (size_t t = 0; t < bp.result.final_loss.size(); ++t)
    ASSERT_TRUE(std::isfinite(bp.result.final_loss[t])) << "task " << t;
  for (size_t t = 0; t < bp.result.final_loss.size(); ++t)
    EXPECT_NEAR(bp.result.final_loss[t], rule.result.final_loss[t], 1e-5) << "task " << t;
  EXPECT_GT(std::abs(naive.result.final_loss.back() - rule.result.final_loss.back()), 1e-4);
}

TEST(ModelRuleHook, TheTaskLossGradientComesFromTheRule) {
  const auto dataset =
      data::load_benchmark_dataset(data::parse_benchmark("split-synthetic"), "", 0);
  const auto none = run("naive", "test-no-gradient", dataset);
  ASSERT_TRUE(none.result.complete());
  // No gradient, no learning: after the first task (the same output units active as at the
  // start) the accuracies are those of the untrained network.
  EXPECT_EQ(none.result.accuracy.front(), none.result.random_init_accuracy);
  const auto bp = run("naive", "", dataset);
  EXPECT_NE(bp.result.accuracy.front(), bp.result.random_init_accuracy);
}

TEST(BatchManhattan, EveryWeightMovesByTheLearningRateTimesTheSignOfItsGradient) {
  const auto dataset = data::load_benchmark_dataset(data::parse_benchmark("iid-synthetic"), "", 0);
  const auto stream = data::make_benchmark_stream(data::parse_benchmark("iid-synthetic"), dataset,
                                                  data::Scenario::kClass, 0, 0);
  const auto preset = models::parse_preset(kMlp);
  auto strategy = cl::make_strategy("naive");
  models::Network net{nullptr};
  std::vector<at::Tensor> before;
  auto make_model = [&] {
    auto m = models::build_network(preset, stream.input_shape(), stream.num_outputs());
    if (!net) {
      net = m;
      for (const auto& p : m->parameters())
        before.push_back(p.detach().clone());
    }
    return m;
  };
  train::TrainerConfig config;
  config.iterations = 1;
  config.batch_size = 16;
  config.optimizer = "sgd";
  config.lr = 0.01;
  config.batch_manhattan = true;
  train::run_continual(stream, *strategy, make_model, config);
  const auto params = net->parameters();
  int64_t moved = 0, total = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor step = (params[i].detach() - before[i]).abs();
    // Each step is lr or 0 (a zero gradient), to float32 rounding of the weight.
    EXPECT_TRUE((step - 0.01).abs().lt(1e-6).logical_or(step.eq(0)).all().item<bool>())
        << "parameter " << i;
    moved += step.gt(0).sum().item<int64_t>();
    total += step.numel();
  }
  EXPECT_GT(moved, total / 2);
}

} // namespace
} // namespace engram::learning
