// The accuracy matrix is T x T: --eval-every and --eval-tasks seen thin it out, the cells not
// evaluated are NaN, and the metrics that need one of them are NaN (n/a), never computed from the
// cells that happen to be there.
#include <cl/cl_test_util.h>

#include <engram/cl/metrics.h>

#include <gtest/gtest.h>

#include <cmath>

namespace engram {
namespace {

data::Stream four_task_stream() {
  data::SyntheticDatasetOptions o;
  o.num_classes = 8;
  o.train_per_class = 40;
  o.test_per_class = 20;
  o.noise = 0.3;
  return data::make_split_stream(data::make_synthetic_dataset(o), data::Scenario::kClass,
                                 {4, false, 0});
}

train::TrainerConfig small_config() {
  train::TrainerConfig cfg;
  cfg.iterations = 10;
  cfg.batch_size = 16;
  return cfg;
}

TEST(EvaluationSchedule, EveryKthTaskAndTheLast) {
  train::TrainerConfig cfg = small_config();
  cfg.eval_every = 3;
  const auto r = testing::run_strategy(four_task_stream(), "naive", {}, cfg);
  ASSERT_EQ(r.accuracy.size(), 4u);
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 4; ++j)
      EXPECT_EQ(std::isnan(r.accuracy[i][j]), i == 0 || i == 1) << i << "," << j;
  // The final row is there: ACC is; BWT and forgetting need R[0][0] and R[1][1]: n/a.
  EXPECT_TRUE(std::isfinite(r.metrics.acc));
  EXPECT_TRUE(std::isnan(r.metrics.bwt));
  EXPECT_TRUE(std::isnan(r.metrics.forgetting));
  EXPECT_TRUE(std::isnan(r.metrics.fwt)); // needs R[0][1]
}

TEST(EvaluationSchedule, SeenTasksAndTheNextOneGiveEveryMetric) {
  train::TrainerConfig cfg = small_config();
  const auto full = testing::run_strategy(four_task_stream(), "naive", {}, cfg);
  cfg.eval_seen_only = true;
  const auto seen = testing::run_strategy(four_task_stream(), "naive", {}, cfg);
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 4; ++j) {
      if (j <= i + 1)
        EXPECT_EQ(seen.accuracy[i][j], full.accuracy[i][j]) << i << "," << j; // same training
      else
        EXPECT_TRUE(std::isnan(seen.accuracy[i][j])) << i << "," << j;
    }
  EXPECT_DOUBLE_EQ(seen.metrics.acc, full.metrics.acc);
  EXPECT_DOUBLE_EQ(seen.metrics.bwt, full.metrics.bwt);
  EXPECT_TRUE(std::isnan(full.metrics.fwt)); // class-IL: FWT is n/a
  EXPECT_TRUE(std::isnan(seen.metrics.fwt));
  EXPECT_DOUBLE_EQ(seen.metrics.forgetting, full.metrics.forgetting);
  EXPECT_DOUBLE_EQ(seen.metrics.avg_incremental_acc, full.metrics.avg_incremental_acc);
}

TEST(EvaluationSchedule, MetricsNeedingAMissingCellAreNan) {
  const double nan = std::nan("");
  const cl::AccuracyMatrix R = {{0.9, nan, nan}, {0.5, 0.8, nan}, {0.4, 0.6, 0.9}};
  const auto m = cl::compute_metrics(R, {0.3, 0.3, 0.3});
  EXPECT_NEAR(m.acc, (0.4 + 0.6 + 0.9) / 3, 1e-12);
  EXPECT_NEAR(m.bwt, ((0.4 - 0.9) + (0.6 - 0.8)) / 2, 1e-12);
  EXPECT_NEAR(m.forgetting, ((0.9 - 0.4) + (0.8 - 0.6)) / 2, 1e-12);
  EXPECT_TRUE(std::isnan(m.fwt)); // R[0][1] was not evaluated
}

TEST(EvaluationSchedule, RefusesAZeroPeriod) {
  train::TrainerConfig cfg = small_config();
  cfg.eval_every = 0;
  EXPECT_THROW(testing::run_strategy(four_task_stream(), "naive", {}, cfg), c10::Error);
}

} // namespace
} // namespace engram
