// GDumb: the greedy sampler keeps the memory class-balanced, and the model is what training on
// the memory alone makes of fresh weights.
#include <cl/cl_test_util.h>
#include <cl/class_il_stream.h>

#include <engram/cl/gdumb.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

namespace engram {
namespace {

cl::Batch of_class(int64_t label, int64_t n) {
  return cl::Batch{at::full({n, 2}, static_cast<float>(label)), at::full({n}, label, at::kLong),
                   at::zeros({n}, at::kLong)};
}

TEST(Gdumb, GreedySamplerBalancesTheClasses) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  cl::ClassBalancedMemory memory(12);
  memory.add(of_class(0, 20), gen);
  EXPECT_EQ(memory.class_counts(), (std::vector<int64_t>{12}));
  memory.add(of_class(1, 10), gen); // takes half of the memory from class 0
  EXPECT_EQ(memory.class_counts(), (std::vector<int64_t>{6, 6}));
  memory.add(of_class(2, 3), gen); // below its share of 4: all kept, each from the largest class
  EXPECT_EQ(memory.class_counts(), (std::vector<int64_t>{4, 5, 3}));
  EXPECT_EQ(memory.size(), 12);
  // Every stored row is a sample of its label.
  const cl::Batch m = memory.contents();
  EXPECT_TRUE(at::equal(m.x.select(1, 0).to(at::kLong), m.y));
}

TEST(Gdumb, LearningRateWarmsUpThenRestartsItsCosine) {
  const double lr = 0.05, lo = 0.0005;
  EXPECT_DOUBLE_EQ(cl::gdumb_learning_rate(0, lr, lo), 0.005);
  EXPECT_DOUBLE_EQ(cl::gdumb_learning_rate(1, lr, lo), lr);
  EXPECT_DOUBLE_EQ(cl::gdumb_learning_rate(2, lr, lo), lr); // restart after a cycle of 1
  EXPECT_NEAR(cl::gdumb_learning_rate(3, lr, lo), (lr + lo) / 2, 1e-15); // half of a cycle of 2
  EXPECT_DOUBLE_EQ(cl::gdumb_learning_rate(4, lr, lo), lr);              // cycle of 4 begins
  EXPECT_NEAR(cl::gdumb_learning_rate(5, lr, lo),
              lo + (lr - lo) * (1 + std::cos(std::acos(-1.0) / 4)) / 2, 1e-15);
}

TEST(Gdumb, ModelIsTrainedFromTheMemoryOnly) {
  const auto stream = testing::two_task_class_il_stream();
  train::TrainerConfig cfg;
  cfg.iterations = 20;
  cfg.batch_size = 16;
  cfg.seed = 5;
  const cl::OptionOverrides hp{{"buffer_size", 40}, {"epochs", 15}, {"batch_size", 10}};
  cfg.lr = 1e-3;
  const auto a = testing::run_strategy(stream, "gdumb", hp, cfg);
  // The stream's own training (at another learning rate) changes nothing.
  cfg.lr = 0.05;
  const auto b = testing::run_strategy(stream, "gdumb", hp, cfg);
  EXPECT_EQ(a.accuracy, b.accuracy);
  // Trained on 10 samples of each of 4 classes, it classifies both tasks.
  EXPECT_GT(a.accuracy[1][0], 0.6);
  EXPECT_GT(a.accuracy[1][1], 0.6);

  auto strategy = cl::make_strategy("gdumb", hp, cfg.seed);
  const auto preset = testing::small_mlp_preset();
  train::run_continual(
      stream, *strategy,
      [&] { return models::build_network(preset, stream.input_dim(), stream.num_outputs()); }, cfg);
  const auto& memory = dynamic_cast<const cl::GdumbStrategy&>(*strategy).memory();
  EXPECT_EQ(memory.class_counts(), (std::vector<int64_t>{10, 10, 10, 10}));
}

} // namespace
} // namespace engram
