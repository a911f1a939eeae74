#include <engram/cl/metrics.h>

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <cmath>

namespace engram::cl {
namespace {

TEST(Metrics, HandComputedThreeTasks) {
  // R[i][j]: after task i, tested on task j.
  const AccuracyMatrix R{{0.90, 0.20, 0.10}, {0.60, 0.95, 0.15}, {0.50, 0.80, 0.70}};
  const std::vector<double> b{0.10, 0.10, 0.12};
  const auto m = compute_metrics(R, b);
  EXPECT_NEAR(m.acc, (0.50 + 0.80 + 0.70) / 3, 1e-12);
  EXPECT_NEAR(m.bwt, ((0.50 - 0.90) + (0.80 - 0.95)) / 2, 1e-12);
  EXPECT_NEAR(m.fwt, ((0.20 - 0.10) + (0.15 - 0.12)) / 2, 1e-12);
  // Forgetting: task 0 peaked at 0.90 (after task 0), task 1 at 0.95.
  EXPECT_NEAR(m.forgetting, ((0.90 - 0.50) + (0.95 - 0.80)) / 2, 1e-12);
}

TEST(Metrics, ForgettingUsesTheBestEarlierAccuracyNotTheFirst) {
  // Task 0 improves after task 1 (positive backward transfer) then drops.
  const AccuracyMatrix R{{0.6, 0.0, 0.0}, {0.9, 0.8, 0.0}, {0.7, 0.8, 0.9}};
  const auto m = compute_metrics(R, {0, 0, 0});
  EXPECT_NEAR(m.forgetting, ((0.9 - 0.7) + (0.8 - 0.8)) / 2, 1e-12);
  EXPECT_NEAR(m.bwt, ((0.7 - 0.6) + 0.0) / 2, 1e-12);
}

TEST(Metrics, NoForgettingGivesZeroBwtAndForgetting) {
  const AccuracyMatrix R{{1.0, 0.5}, {1.0, 1.0}};
  const auto m = compute_metrics(R, {0.5, 0.5});
  EXPECT_DOUBLE_EQ(m.acc, 1.0);
  EXPECT_DOUBLE_EQ(m.bwt, 0.0);
  EXPECT_DOUBLE_EQ(m.forgetting, 0.0);
  EXPECT_DOUBLE_EQ(m.fwt, 0.0);
}

TEST(Metrics, SingleTaskHasOnlyAccuracy) {
  const auto m = compute_metrics({{0.75}}, {0.1});
  EXPECT_DOUBLE_EQ(m.acc, 0.75);
  EXPECT_DOUBLE_EQ(m.bwt, 0.0);
  EXPECT_DOUBLE_EQ(m.fwt, 0.0);
}

TEST(Metrics, BothForgettingsAndAverageIncrementalAccuracyByHand) {
  // Task 0 improves after task 1 then drops: the two forgettings differ.
  const AccuracyMatrix R{{0.6, 0.0, 0.0}, {0.9, 0.8, 0.0}, {0.7, 0.5, 0.9}};
  const auto m = compute_metrics(R, {0, 0, 0});
  EXPECT_NEAR(m.forgetting, ((0.9 - 0.7) + (0.8 - 0.5)) / 2, 1e-12);           // Chaudhry
  EXPECT_NEAR(m.forgetting_avalanche, ((0.6 - 0.7) + (0.8 - 0.5)) / 2, 1e-12); // R[j][j] - end
  EXPECT_NEAR(m.forgetting_avalanche, -m.bwt, 1e-12);
  EXPECT_NEAR(m.avg_incremental_acc, (0.6 + (0.9 + 0.8) / 2 + (0.7 + 0.5 + 0.9) / 3) / 3, 1e-12);
}

TEST(Metrics, ForwardTransferIsNotApplicableInClassIl) {
  const AccuracyMatrix R{{0.9, 0.0}, {0.5, 0.95}};
  EXPECT_TRUE(std::isnan(compute_metrics(R, {0.1, 0.1}, /*class_incremental=*/true).fwt));
  EXPECT_NEAR(compute_metrics(R, {0.1, 0.1}).fwt, -0.1, 1e-12);
  // The others are the same in every scenario.
  EXPECT_DOUBLE_EQ(compute_metrics(R, {0.1, 0.1}, true).acc, compute_metrics(R, {0.1, 0.1}).acc);
}

TEST(Metrics, RejectsRaggedMatrices) {
  EXPECT_THROW(compute_metrics({{1.0, 0.5}, {1.0}}, {0, 0}), c10::Error);
  EXPECT_THROW(compute_metrics({{1.0}}, {0, 0}), c10::Error);
}

} // namespace
} // namespace engram::cl
