// A convolutional preset learns generated CIFAR-format images through the whole pipeline: files,
// reader, normalisation, split stream with its [3, 32, 32] input shape, trainer.
#include <engram/data/benchmark.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/experiment.h>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/serialize/input-archive.h>

#include <support/cifar_files.h>
#include <support/scratch_dir.h>
#include <test_paths.h>

#include <filesystem>

namespace {

std::string cifar_dir() {
  static const std::string dir = [] {
    const auto d = engram::testing::scratch_dir("conv_learning");
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

TEST(ConvLearning, ResumeWithAugmentationAndFrozenBatchNormIsBitIdentical) {
  at::set_num_threads(1);
  const auto bench = engram::data::parse_benchmark("split-cifar10");
  const auto dataset = engram::data::load_benchmark_dataset(bench, cifar_dir());
  auto s = spec(6, "standard");
  s.preset = engram::models::parse_preset(R"({"name": "bn", "layers": [
      {"type": "conv2d", "out_channels": 4, "stride": 2, "padding": 1},
      {"type": "batchnorm2d", "bn_stats": "frozen_after_first_task"}, {"type": "relu"},
      {"type": "basic_block", "out_channels": 8, "stride": 2,
       "bn_stats": "frozen_after_first_task"},
      {"type": "adaptive_avgpool2d", "output_size": 2}, {"type": "flatten"}]})");
  s.num_tasks = 5;
  s.strategy = "replay";
  const auto whole = engram::train::run_experiment(s, dataset);
  const auto checkpoint = (engram::testing::scratch_dir("conv_resume") / "run.ckpt").string();
  s.checkpoint = checkpoint;
  s.stop_after_task = 0;
  const auto first = engram::train::run_experiment(s, dataset);
  EXPECT_EQ(first.status, "partial");
  s.resume = true;
  s.stop_after_task = -1;
  const auto resumed = engram::train::run_experiment(s, dataset);
  EXPECT_EQ(resumed.result.resumed_from, 1);
  EXPECT_EQ(resumed.result.accuracy, whole.result.accuracy);
  EXPECT_EQ(resumed.result.final_loss, whole.result.final_loss);
}

TEST(ConvLearning, PretrainedLayersLoadFromAnEngramRunCheckpoint) {
  // The documented workflow: train vandeven-conv5 on CIFAR-10 as one task, then build the frozen
  // variant for 100 classes from the run's checkpoint.
  at::set_num_threads(1);
  const auto bench = engram::data::parse_benchmark("split-cifar10");
  const auto dataset = engram::data::load_benchmark_dataset(bench, cifar_dir());
  auto s = spec(1, "none");
  s.preset =
      engram::models::load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/vandeven-conv5.json");
  s.batch_size = 4;
  s.scenario = "task";
  const auto checkpoint = (engram::testing::scratch_dir("conv5_cifar10") / "run.ckpt").string();
  s.checkpoint = checkpoint;
  ASSERT_EQ(engram::train::run_experiment(s, dataset).status, "ok");

  engram::models::Network trained = engram::models::build_network(s.preset, {3, 32, 32}, 10);
  torch::serialize::InputArchive archive, model;
  archive.load_from(checkpoint);
  archive.read("model", model);
  trained->load(model);

  auto frozen = engram::models::load_preset(std::string(ENGRAM_SOURCE_DIR) +
                                            "/models/vandeven-conv5-frozen.json");
  frozen.pretrained = checkpoint;
  engram::models::Network net = engram::models::build_network(frozen, {3, 32, 32}, 100);
  for (const char* name : {"layer0_conv2d.conv.weight", "layer12_conv2d.conv.bias",
                           "layer13_batchnorm2d.bn.weight", "layer18_linear.weight"})
    EXPECT_TRUE(at::equal(net->named_parameters()[name], trained->named_parameters()[name]))
        << name;
  EXPECT_EQ(net->head()->weight.size(0), 100);
}
