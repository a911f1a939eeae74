// A run stopped after a task and resumed from its checkpoint ends with exactly the numbers and
// weights of an uninterrupted run with the same seed.
#include <cl/cl_test_util.h>

#include <engram/io/archive.h>

#include <gtest/gtest.h>
#include <torch/serialize/input-archive.h>

#include <cstdio>
#include <filesystem>

#include <test_paths.h>

namespace engram {
namespace {

data::Stream three_task_stream() {
  data::SyntheticDatasetOptions o;
  o.num_classes = 6;
  o.train_per_class = 60;
  o.test_per_class = 30;
  o.noise = 0.3;
  return data::make_split_stream(data::make_synthetic_dataset(o), data::Scenario::kClass,
                                 {3, false, 0});
}

class Resume : public ::testing::TestWithParam<std::string> {};

TEST_P(Resume, EqualsUninterruptedRun) {
  const std::string strategy = GetParam();
  const auto stream = three_task_stream();
  const auto dir = std::filesystem::path(ENGRAM_BINARY_DIR) / "tests" / "cl_resume";
  std::filesystem::create_directories(dir);
  train::TrainerConfig cfg;
  cfg.iterations = 40;
  cfg.batch_size = 16;
  cfg.seed = 11;
  cfg.fingerprint = strategy;
  cl::OptionOverrides hp;
  if (strategy == "ewc" || strategy == "online-ewc")
    hp["fisher_samples"] = 20;

  cfg.checkpoint = (dir / (strategy + "-full.ckpt")).string();
  std::remove(cfg.checkpoint.c_str());
  const auto full = testing::run_strategy(stream, strategy, hp, cfg);
  ASSERT_TRUE(full.complete());

  cfg.checkpoint = (dir / (strategy + "-killed.ckpt")).string();
  std::remove(cfg.checkpoint.c_str());
  cfg.stop_after_task = 0;
  const auto first = testing::run_strategy(stream, strategy, hp, cfg);
  ASSERT_EQ(first.accuracy.size(), 1u);
  cfg.stop_after_task = 1;
  cfg.resume = true;
  const auto second = testing::run_strategy(stream, strategy, hp, cfg);
  ASSERT_EQ(second.accuracy.size(), 2u);
  EXPECT_EQ(second.resumed_from, 1);
  cfg.stop_after_task = -1;
  const auto resumed = testing::run_strategy(stream, strategy, hp, cfg);
  ASSERT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed_from, 2);

  EXPECT_EQ(resumed.accuracy, full.accuracy);
  EXPECT_EQ(resumed.random_init_accuracy, full.random_init_accuracy);
  EXPECT_EQ(resumed.final_loss, full.final_loss);
  EXPECT_DOUBLE_EQ(resumed.metrics.acc, full.metrics.acc);
  EXPECT_DOUBLE_EQ(resumed.metrics.bwt, full.metrics.bwt);

  // The checkpoint carries the peak memory of the processes that trained it, so that a run
  // resumed in a fresh process still reports what training took.
  torch::serialize::InputArchive a;
  io::load_archive(a, cfg.checkpoint);
  at::Tensor stored;
  ASSERT_TRUE(a.try_read("peak_rss_mb", stored));
  EXPECT_GT(stored.item<double>(), 0.0);
  EXPECT_LE(stored.item<double>(), train::peak_rss_mb());
  EXPECT_GE(resumed.peak_rss_mb, stored.item<double>());
}

INSTANTIATE_TEST_SUITE_P(Strategies, Resume,
                         ::testing::Values("naive", "ewc", "online-ewc", "si", "lwf", "replay",
                                           "agem", "joint", "hebbian-readout",
                                           "hippocampal-replay"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             c = c == '-' ? '_' : c;
                           return n;
                         });

TEST(ResumeGuard, RefusesACheckpointOfAnotherRun) {
  const auto stream = three_task_stream();
  const auto path = std::filesystem::path(ENGRAM_BINARY_DIR) / "tests" / "cl_resume" / "guard.ckpt";
  std::filesystem::create_directories(path.parent_path());
  std::remove(path.c_str());
  train::TrainerConfig cfg;
  cfg.iterations = 5;
  cfg.batch_size = 8;
  cfg.checkpoint = path.string();
  cfg.fingerprint = "run A";
  cfg.stop_after_task = 0;
  testing::run_strategy(stream, "naive", {}, cfg);
  cfg.fingerprint = "run B";
  cfg.resume = true;
  EXPECT_THROW(testing::run_strategy(stream, "naive", {}, cfg), c10::Error);
}

} // namespace
} // namespace engram
