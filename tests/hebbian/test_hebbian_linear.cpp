// HebbianLinear as a module: forward, learn's bookkeeping, options, errors, save/load.
#include <support/error_message.h>

#include <engram/layers/hebbian/hebbian_linear.h>

#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <sstream>

namespace {

using namespace engram::layers;

TEST(HebbianLinear, ForwardIsLinearMapPlusActivation) {
  torch::manual_seed(0);
  HebbianLinear layer(HebbianLinearOptions(6, 3).bias(true).activation(Activation::kTanh));
  {
    torch::NoGradGuard no_grad;
    layer->bias.uniform_(-1, 1);
  }
  const auto x = torch::randn({2, 5, 6});
  const auto y = layer(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 5, 3}));
  EXPECT_TRUE(torch::allclose(y, torch::tanh(torch::matmul(x, layer->weight.t()) + layer->bias)));
  // The weights are parameters: forward is differentiable for hybrid training.
  y.sum().backward();
  EXPECT_TRUE(layer->weight.grad().defined());
}

TEST(HebbianLinear, LearnAppliesTheRuleScaledByTheLearningRate) {
  torch::manual_seed(0);
  HebbianLinear layer(HebbianLinearOptions(4, 2).rule(HebbianRule::kOja).learning_rate(0.1));
  const auto w0 = layer->weight.detach().clone();
  const auto x = torch::randn({8, 4});
  const auto y = torch::matmul(x, w0.t());
  const auto out = layer->learn(x);
  EXPECT_TRUE(torch::allclose(out, y));
  const auto expected =
      w0 + 0.1 * (torch::matmul(y.t(), x) - w0 * y.square().sum(0).unsqueeze(1)) / 8.0;
  EXPECT_TRUE(torch::allclose(layer->weight, expected, 1e-5, 1e-6));
  EXPECT_EQ(layer->steps(), 1);
  EXPECT_FALSE(layer->weight.grad().defined());
}

TEST(HebbianLinear, HebbDecayShrinksWeightsWithoutInput) {
  HebbianLinear layer(
      HebbianLinearOptions(3, 2).rule(HebbianRule::kHebb).decay(0.1).learning_rate(0.5));
  const auto w0 = layer->weight.detach().clone();
  layer->learn(torch::zeros({1, 3}));
  EXPECT_TRUE(torch::allclose(layer->weight, 0.9 * w0));
}

TEST(HebbianLinear, SchedulesDecayTheLearningRate) {
  EXPECT_DOUBLE_EQ(learning_rate_factor(LearningRateSchedule::kConstant, 50, 10), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_factor(LearningRateSchedule::kInverseTime, 10, 10), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_factor(LearningRateSchedule::kExponential, 10, 10), std::exp(-1));
  EXPECT_DOUBLE_EQ(learning_rate_factor(LearningRateSchedule::kLinear, 5, 10), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate_factor(LearningRateSchedule::kLinear, 15, 10), 0.0);

  HebbianLinear layer(HebbianLinearOptions(3, 2)
                          .learning_rate(0.2)
                          .schedule(LearningRateSchedule::kLinear)
                          .schedule_steps(2));
  EXPECT_DOUBLE_EQ(layer->current_learning_rate(), 0.2);
  layer->learn(torch::randn({1, 3}));
  EXPECT_DOUBLE_EQ(layer->current_learning_rate(), 0.1);
  layer->learn(torch::randn({1, 3}));
  // The schedule has run out: learning stops.
  const auto frozen = layer->weight.detach().clone();
  layer->learn(torch::randn({1, 3}));
  EXPECT_TRUE(torch::equal(layer->weight, frozen));
}

TEST(HebbianLinear, UnitNormKeepsRowsNormalised) {
  torch::manual_seed(0);
  HebbianLinear layer(HebbianLinearOptions(5, 3)
                          .rule(HebbianRule::kHebb)
                          .learning_rate(1.0)
                          .weight_normalization(WeightNormalization::kUnitNorm));
  EXPECT_TRUE(torch::allclose(layer->weight.norm(2, {1}), torch::ones({3})));
  for (int i = 0; i < 5; ++i) {
    layer->learn(torch::randn({4, 5}));
  }
  EXPECT_TRUE(torch::allclose(layer->weight.norm(2, {1}), torch::ones({3})));
}

TEST(HebbianLinear, BcmThresholdTracksMeanSquaredResponse) {
  HebbianLinear layer(HebbianLinearOptions(2, 1).rule(HebbianRule::kBcm).bcm_rate(0.5));
  {
    torch::NoGradGuard no_grad;
    layer->weight.fill_(1.0);
  }
  layer->learn(torch::tensor({{1.0f, 1.0f}})); // y = 2, theta: 0 -> 0.5 * 4
  EXPECT_NEAR(layer->theta.item<double>(), 2.0, 1e-6);
}

TEST(HebbianLinear, CovarianceRuleIgnoresTheMeanInput) {
  // A constant input carries no covariance: the weights do not move.
  HebbianLinear layer(HebbianLinearOptions(3, 2).rule(HebbianRule::kCovariance).learning_rate(1));
  const auto w0 = layer->weight.detach().clone();
  for (int i = 0; i < 3; ++i) {
    layer->learn(torch::ones({4, 3}));
  }
  EXPECT_TRUE(torch::allclose(layer->weight, w0));
  EXPECT_TRUE(torch::allclose(layer->mean_x, torch::ones({3})));
}

TEST(HebbianLinear, HardWtaUpdateIsNormalisedToUnitMaximum) {
  torch::manual_seed(0);
  HebbianLinear layer(
      HebbianLinearOptions(4, 3).rule(HebbianRule::kHardWta).learning_rate(0.1).wta_rank(3));
  const auto w0 = layer->weight.detach().clone();
  layer->learn(torch::randn({6, 4}));
  EXPECT_NEAR((layer->weight - w0).abs().max().item<double>(), 0.1, 1e-6);
}

TEST(HebbianLinear, SaveLoadRoundTripsWeightsAndRuleState) {
  torch::manual_seed(0);
  HebbianLinear a(HebbianLinearOptions(4, 2).rule(HebbianRule::kBcm).bias(true));
  for (int i = 0; i < 3; ++i) {
    a->learn(torch::rand({5, 4}));
  }
  std::stringstream stream;
  torch::save(a, stream);
  HebbianLinear b(HebbianLinearOptions(4, 2).rule(HebbianRule::kBcm).bias(true));
  torch::load(b, stream);
  EXPECT_TRUE(torch::equal(a->weight, b->weight));
  EXPECT_TRUE(torch::equal(a->theta, b->theta));
  EXPECT_EQ(b->steps(), 3);
}

TEST(HebbianLinear, ToDoubleAndPrettyPrint) {
  HebbianLinear layer(HebbianLinearOptions(4, 3).rule(HebbianRule::kSoftWta).temperature(0.5));
  layer->to(torch::kDouble);
  EXPECT_EQ(layer->learn(torch::randn({2, 4}, torch::kDouble)).scalar_type(), torch::kDouble);
  std::ostringstream text;
  text << *layer;
  EXPECT_EQ(text.str(), "engram::HebbianLinear(in_features=4, out_features=3, rule=soft_wta, "
                        "activation=none, bias=0, learning_rate=0.01, schedule=constant, "
                        "temperature=0.5, anti_hebbian=1)");
}

TEST(HebbianLinear, RuleNamesRoundTrip) {
  for (auto rule : {HebbianRule::kHebb, HebbianRule::kOja, HebbianRule::kSanger, HebbianRule::kBcm,
                    HebbianRule::kCovariance, HebbianRule::kSoftWta, HebbianRule::kHardWta}) {
    EXPECT_EQ(engram::parse_hebbian_rule(engram::to_string(rule)), rule);
  }
  EXPECT_ERROR_MENTIONS(engram::parse_hebbian_rule("ojas"), "'ojas'");
}

// The rule table is complete: one row per engram::HebbianRule, in the vocabulary's order, and
// every row's rule learns (changes W) on a batch.
TEST(HebbianLinear, RuleTableCoversEveryRule) {
  const auto& table = hebbian_rule_table();
  ASSERT_EQ(table.size(), engram::all_hebbian_rules().size());
  for (size_t k = 0; k < table.size(); ++k) {
    const auto rule = engram::all_hebbian_rules()[k];
    EXPECT_EQ(table[k].rule, rule);
    EXPECT_EQ(table[k].name(), engram::to_string(rule));
    EXPECT_NE(table[k].update, nullptr);
    EXPECT_EQ(&hebbian_rule_entry(rule), &table[k]);
    torch::manual_seed(4);
    HebbianLinear layer(HebbianLinearOptions(5, 3).rule(rule).activation(Activation::kRelu));
    const auto before = layer->weight.detach().clone();
    layer->learn(torch::rand({8, 5}));
    EXPECT_FALSE(torch::equal(layer->weight, before)) << table[k].name();
  }
}

TEST(HebbianLinear, InvalidOptionsAreNamed) {
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(0, 3)), "in_features");
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(3, 0)), "out_features");
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(3, 2).learning_rate(-1)),
                        "learning_rate");
  EXPECT_ERROR_MENTIONS(
      HebbianLinear(HebbianLinearOptions(3, 2).rule(HebbianRule::kSoftWta).temperature(0)),
      "temperature");
  EXPECT_ERROR_MENTIONS(
      HebbianLinear(HebbianLinearOptions(3, 2).rule(HebbianRule::kSoftWta).temperature(-1)),
      "temperature");
  EXPECT_ERROR_MENTIONS(
      HebbianLinear(HebbianLinearOptions(3, 4).rule(HebbianRule::kHardWta).wta_rank(5)),
      "wta_rank");
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(3, 1).rule(HebbianRule::kSoftWta)),
                        "out_features >= 2");
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(3, 2).decay(1.5)), "decay");
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(3, 2).bcm_rate(0)), "bcm_rate");
  EXPECT_ERROR_MENTIONS(HebbianLinear(HebbianLinearOptions(3, 2).schedule_steps(0)),
                        "schedule_steps");
}

TEST(HebbianLinear, BadInputAndStatesAreNamed) {
  HebbianLinear layer(HebbianLinearOptions(4, 2));
  EXPECT_ERROR_MENTIONS(layer(torch::randn({3, 5})), "argument 'x' expected shape [..., 4]");
  EXPECT_ERROR_MENTIONS(layer->learn(torch::randn({2, 3, 4})), "argument 'x' expected shape");
  EXPECT_ERROR_MENTIONS(layer->learn(torch::randn({0, 4})), "non-empty");
  EXPECT_ERROR_MENTIONS(layer->learn(torch::ones({2, 4}, torch::kLong)), "dtype");
  EXPECT_ERROR_MENTIONS(layer->learn(torch::randn({2, 4}, torch::kDouble)), "dtype");
  // Options changed after construction are checked again before learning.
  layer->options.rule(HebbianRule::kSoftWta).temperature(0.0);
  EXPECT_ERROR_MENTIONS(layer->learn(torch::randn({2, 4})), "temperature");
  layer->options.temperature(1.0);
  layer->eval();
  EXPECT_ERROR_MENTIONS(layer->learn(torch::randn({2, 4})), "eval mode");
  // Inference still works in eval mode.
  EXPECT_EQ(layer(torch::randn({2, 4})).size(1), 2);
}

} // namespace
