// The replay-family baselines (DER, DER++, ER-ACE, GDumb, iCaRL, DGR) on a class-IL stream where
// naive fine-tuning forgets the first task: each forgets less than naive, on every one of three
// seeds and by a margin on average; and each resumes from a checkpoint with the numbers of an
// uninterrupted run.
#include <cl/cl_test_util.h>
#include <cl/class_il_stream.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <test_paths.h>

namespace engram {
namespace {

constexpr uint64_t kSeeds[] = {1, 2, 3};

train::TrainerConfig config(uint64_t seed) {
  train::TrainerConfig c;
  c.iterations = 200;
  c.batch_size = 32;
  c.lr = 1e-3;
  c.seed = seed;
  return c;
}

// Small, fast settings of each baseline for the synthetic stream.
cl::OptionOverrides fast_options(const std::string& strategy) {
  if (strategy == "gdumb")
    return {{"buffer_size", 100}, {"epochs", 20}};
  if (strategy == "icarl")
    return {{"memory_size", 100}};
  if (strategy == "dgr" || strategy == "dgr-distill")
    return {{"hidden", 64}, {"latent_dim", 8}};
  return {{"buffer_size", 100}};
}

class BaselineForgetting : public ::testing::TestWithParam<std::string> {
protected:
  static void SetUpTestSuite() {
    for (uint64_t seed : kSeeds)
      naive_[seed] =
          testing::run_strategy(testing::two_task_class_il_stream(seed), "naive", {}, config(seed));
  }
  static std::map<uint64_t, train::RunResult> naive_;
};
std::map<uint64_t, train::RunResult> BaselineForgetting::naive_;

TEST_P(BaselineForgetting, ForgetsLessThanNaiveOnEverySeed) {
  const std::string strategy = GetParam();
  double naive_bwt = 0, bwt = 0;
  for (uint64_t seed : kSeeds) {
    const auto stream = testing::two_task_class_il_stream(seed);
    const auto& naive = naive_.at(seed);
    ASSERT_LT(naive.metrics.bwt, -0.5) << "the stream must make naive forget (seed " << seed << ")";
    const auto r = testing::run_strategy(stream, strategy, fast_options(strategy), config(seed));
    std::cout << strategy << " seed " << seed << ": R = " << r.accuracy[0][0] << " "
              << r.accuracy[1][0] << " " << r.accuracy[1][1] << ", BWT " << r.metrics.bwt
              << " (naive " << naive.metrics.bwt << "), ACC " << r.metrics.acc << " (naive "
              << naive.metrics.acc << ")\n";
    EXPECT_GT(r.metrics.bwt, naive.metrics.bwt + 0.3) << strategy << ", seed " << seed;
    EXPECT_GT(r.metrics.acc, naive.metrics.acc + 0.1) << strategy << ", seed " << seed;
    naive_bwt += naive.metrics.bwt / 3;
    bwt += r.metrics.bwt / 3;
  }
  EXPECT_GT(bwt, naive_bwt + 0.5) << strategy << ": mean BWT over 3 seeds";
}

data::Stream three_task_class_il_stream() {
  data::SyntheticDatasetOptions o;
  o.num_classes = 6;
  o.train_per_class = 60;
  o.test_per_class = 30;
  o.noise = 0.3;
  return data::make_split_stream(data::make_synthetic_dataset(o), data::Scenario::kClass,
                                 {3, false, 0});
}

TEST_P(BaselineForgetting, ResumedRunEqualsUninterruptedRun) {
  const std::string strategy = GetParam();
  const auto stream = three_task_class_il_stream();
  const auto dir = std::filesystem::path(ENGRAM_BINARY_DIR) / "tests" / "cl_resume";
  std::filesystem::create_directories(dir);
  train::TrainerConfig cfg;
  cfg.iterations = 40;
  cfg.batch_size = 16;
  cfg.seed = 11;
  cfg.fingerprint = strategy;
  cl::OptionOverrides hp = fast_options(strategy);
  if (strategy == "gdumb")
    hp["epochs"] = 3;
  cfg.checkpoint = (dir / (strategy + "-full.ckpt")).string();
  std::remove(cfg.checkpoint.c_str());
  const auto full = testing::run_strategy(stream, strategy, hp, cfg);
  ASSERT_TRUE(full.complete());

  cfg.checkpoint = (dir / (strategy + "-killed.ckpt")).string();
  std::remove(cfg.checkpoint.c_str());
  cfg.stop_after_task = 0;
  ASSERT_EQ(testing::run_strategy(stream, strategy, hp, cfg).accuracy.size(), 1u);
  cfg.stop_after_task = 1;
  cfg.resume = true;
  ASSERT_EQ(testing::run_strategy(stream, strategy, hp, cfg).accuracy.size(), 2u);
  cfg.stop_after_task = -1;
  const auto resumed = testing::run_strategy(stream, strategy, hp, cfg);
  ASSERT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed_from, 2);
  EXPECT_EQ(resumed.accuracy, full.accuracy);
  EXPECT_EQ(resumed.final_loss, full.final_loss);
}

INSTANTIATE_TEST_SUITE_P(Baselines, BaselineForgetting,
                         ::testing::Values("der", "derpp", "er-ace", "gdumb", "icarl", "dgr",
                                           "dgr-distill"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             c = c == '-' ? '_' : c;
                           return n;
                         });

} // namespace
} // namespace engram
