// Soft winner-take-all learning on data drawn around a few directions: every unit should end up
// on one cluster's centre, and the homeostatic threshold keeps units from dying when they start
// from a random, unit-norm initialisation (the regime where plain competition leaves most of
// them unused).
#include <engram/layers/hebbian/hebbian_linear.h>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>

namespace {

using engram::layers::HebbianLinear;
using engram::layers::HebbianLinearOptions;
using engram::layers::HebbianRule;
using engram::layers::WeightNormalization;

constexpr int64_t kDim = 256;
constexpr int64_t kClusters = 8;
// Per coordinate; a sample lies at cos ~0.96 from its centre.
const double kNoise = 0.3 / std::sqrt(static_cast<double>(kDim));

torch::Tensor unit_rows(const torch::Tensor& x) {
  return x / x.norm(2, {1}, true);
}

struct Clustering {
  int64_t covered = 0;    // cluster centres with a unit at cos > 0.95
  int64_t used_units = 0; // units that win at least one test sample
};

Clustering train_soft_wta(double homeostasis) {
  torch::manual_seed(3);
  const auto centres = unit_rows(torch::randn({kClusters, kDim}));
  auto sample = [&](int64_t n) {
    const auto which = torch::randint(0, kClusters, {n}, torch::kLong);
    return unit_rows(centres.index_select(0, which) + kNoise * torch::randn({n, kDim}));
  };
  HebbianLinear layer(HebbianLinearOptions(kDim, kClusters)
                          .rule(HebbianRule::kSoftWta)
                          .temperature(0.02)
                          .anti_hebbian(0.0)
                          .learning_rate(1.0)
                          .homeostasis(homeostasis)
                          .weight_normalization(WeightNormalization::kUnitNorm));
  for (int64_t t = 0; t < 600; ++t) {
    layer->learn(sample(8));
  }
  torch::NoGradGuard no_grad;
  Clustering result;
  const auto cos = torch::matmul(centres, layer->weight.t()); // [clusters, units]
  result.covered = std::get<0>(cos.max(1)).gt(0.95).sum().item<int64_t>();
  const auto wins = torch::bincount(layer->forward(sample(2000)).argmax(1), {}, kClusters);
  result.used_units = wins.gt(0).sum().item<int64_t>();
  return result;
}

TEST(CompetitiveLearning, HomeostasisPutsEveryUnitOnACluster) {
  const auto with = train_soft_wta(0.05);
  EXPECT_EQ(with.used_units, kClusters);
  EXPECT_EQ(with.covered, kClusters);
  const auto without = train_soft_wta(0.0);
  // Measured: 4 of 8 centres covered and 6 of 8 units used without the threshold.
  EXPECT_LT(without.covered, with.covered);
}

TEST(CompetitiveLearning, ThresholdTracksWinShares) {
  torch::manual_seed(0);
  HebbianLinear layer(
      HebbianLinearOptions(4, 2).rule(HebbianRule::kHardWta).homeostasis(0.1).learning_rate(0));
  {
    torch::NoGradGuard no_grad;
    layer->weight.copy_(torch::tensor({{1.0, 0.0, 0.0, 0.0}, {0.0, 1.0, 0.0, 0.0}}));
  }
  // Unit 0 wins all four samples: its threshold rises by 0.1 * (1 - 1/2), unit 1's falls as much.
  layer->learn(torch::tensor({{1.0, 0.0, 0.0, 0.0}}).repeat({4, 1}));
  EXPECT_NEAR(layer->competition_threshold[0].item<double>(), 0.05, 1e-7);
  EXPECT_NEAR(layer->competition_threshold[1].item<double>(), -0.05, 1e-7);
}

} // namespace
