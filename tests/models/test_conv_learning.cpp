// A convolutional preset learns generated CIFAR-format images through the whole pipeline: files,
// reader, normalisation, split stream with its [3, 32, 32] input shape, trainer.
#include <engram/data/benchmark.h>
#include <engram/models/preset.h>
#include <engram/train/experiment.h>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <support/cifar_files.h>
#include <test_paths.h>

#include <filesystem>

namespace {

std::string cifar_dir() {
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() / "engram_conv_learning";
    std::filesystem::remove_all(d);
    engram::testing::write_cifar10_dir(d.string(), 50, 20, /*seed=*/3);
    return d.string();
  }();
  return dir;
}

engram::train::ExperimentSpec spec(int64_t iterations, const std::string& augment) {
  engram::train::ExperimentSpec s;
  s.preset = engram::models::load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/lenet.json");
  s.benchmark = "split-cifar10";
  s.scenario = "class";
  s.strategy = "naive";
  s.num_tasks = 1; // one task of all ten classes
  s.iterations = iterations;
  s.batch_size = 32;
  s.data_dir = cifar_dir();
  s.augment = augment;
  s.progress = false;
  return s;
}

} // namespace

TEST(ConvLearning, LeNetLearnsGeneratedCifarWellAboveChance) {
  at::set_num_threads(1);
  const auto bench = engram::data::parse_benchmark("split-cifar10");
  const auto dataset = engram::data::load_benchmark_dataset(bench, cifar_dir());
  const auto record = engram::train::run_experiment(spec(150, "none"), dataset);
  ASSERT_EQ(record.status, "ok");
  const double accuracy = record.result.accuracy.at(0).at(0);
  EXPECT_GT(accuracy, 0.6) << "chance is 0.1";
  EXPECT_LT(record.result.random_init_accuracy.at(0), 0.3);
}

TEST(ConvLearning, StandardAugmentationTrainsDeterministically) {
  at::set_num_threads(1);
  const auto bench = engram::data::parse_benchmark("split-cifar10");
  const auto dataset = engram::data::load_benchmark_dataset(bench, cifar_dir());
  const auto a = engram::train::run_experiment(spec(20, "standard"), dataset);
  const auto b = engram::train::run_experiment(spec(20, "standard"), dataset);
  const auto none = engram::train::run_experiment(spec(20, "none"), dataset);
  EXPECT_EQ(a.augment, "standard");
  EXPECT_EQ(a.result.final_loss, b.result.final_loss);
  EXPECT_EQ(a.result.accuracy, b.result.accuracy);
  EXPECT_NE(a.result.final_loss, none.result.final_loss);
}
