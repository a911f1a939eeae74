#include <engram/data/benchmark.h>
#include <engram/data/stream.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

namespace engram::data {
namespace {

Dataset tiny(int64_t classes = 10) {
  SyntheticDatasetOptions o;
  o.num_classes = classes;
  o.rows = 4;
  o.cols = 5;
  o.train_per_class = 20;
  o.test_per_class = 10;
  return make_synthetic_dataset(o);
}

TEST(SyntheticDataset, IsDeterministicAndInRange) {
  auto a = tiny(), b = tiny();
  EXPECT_TRUE(at::equal(a.train_images, b.train_images));
  EXPECT_EQ(a.train_images.sizes(), (std::vector<int64_t>{200, 20}));
  EXPECT_GE(a.train_images.min().item<float>(), 0.0f);
  EXPECT_LE(a.train_images.max().item<float>(), 1.0f);
  EXPECT_EQ(at::bincount(a.test_labels).min().item<int64_t>(), 10);
}

TEST(SplitStream, PartitionsClassesAndMapsUnitsPerScenario) {
  const auto d = tiny();
  const auto cls = make_split_stream(d, Scenario::kClass, {5, false, 0});
  EXPECT_EQ(cls.num_tasks(), 5);
  EXPECT_EQ(cls.num_outputs(), 10);
  const auto& t2 = cls.task(2);
  EXPECT_EQ(t2.description, "classes 4,5");
  EXPECT_EQ(t2.train.size(), 40);
  EXPECT_TRUE(at::all((t2.train.targets >= 4).logical_and(t2.train.targets <= 5)).item<bool>());
  // Class-IL: task 2 at current task 3 competes over the units of tasks 0..3.
  EXPECT_EQ(cls.active_units(2, 3).sum().item<int64_t>(), 8);
  EXPECT_EQ(cls.active_units(4, 0).sum().item<int64_t>(), 10);

  const auto dom = make_split_stream(d, Scenario::kDomain, {5, false, 0});
  EXPECT_EQ(dom.num_outputs(), 2);
  EXPECT_TRUE(at::all(dom.task(3).train.targets < 2).item<bool>());

  const auto task = make_split_stream(d, Scenario::kTask, {5, false, 0});
  at::Tensor m = task.active_units(1, 4);
  EXPECT_EQ(m.sum().item<int64_t>(), 2);
  EXPECT_TRUE(m[2].item<bool>() && m[3].item<bool>());
}

TEST(SplitStream, ShuffledClassOrderFollowsTheSeed) {
  const auto d = tiny();
  auto a = make_split_stream(d, Scenario::kClass, {5, true, 1});
  auto b = make_split_stream(d, Scenario::kClass, {5, true, 1});
  auto c = make_split_stream(d, Scenario::kClass, {5, true, 2});
  std::string da, dc;
  for (int t = 0; t < 5; ++t) {
    EXPECT_EQ(a.task(t).description, b.task(t).description);
    da += a.task(t).description;
    dc += c.task(t).description;
  }
  EXPECT_NE(da, dc);
}

TEST(SplitStream, RejectsTaskCountsThatDoNotDivideTheClasses) {
  EXPECT_THROW(make_split_stream(tiny(), Scenario::kClass, {3, false, 0}), c10::Error);
}

TEST(PermutedStream, PermutesPixelsPerTaskAndKeepsLabels) {
  const auto d = tiny();
  const auto s = make_permuted_stream(d, Scenario::kDomain, {3, 5});
  at::Tensor pos = at::arange(5, at::kLong);
  at::Tensor x0 = s.task(0).train.images_at(pos);
  at::Tensor x1 = s.task(1).train.images_at(pos);
  EXPECT_TRUE(at::equal(x0, d.train_images.narrow(0, 0, 5)));
  EXPECT_FALSE(at::equal(x0, x1));
  // Same pixels, other places.
  EXPECT_TRUE(at::allclose(std::get<0>(x0.sort(1)), std::get<0>(x1.sort(1))));
  EXPECT_TRUE(at::equal(s.task(1).train.targets, d.train_labels));
  const auto t = make_permuted_stream(d, Scenario::kTask, {3, 5});
  EXPECT_EQ(t.num_outputs(), 30);
  EXPECT_TRUE(at::equal(t.task(2).test.targets, d.test_labels + 20));
}

TEST(RotatedStream, QuarterTurnMovesPixels) {
  Dataset d = tiny(4);
  d.rows = 4;
  d.cols = 5;
  const auto s = make_rotated_stream(d, Scenario::kDomain, {2, 0}); // task 1: 90 degrees
  EXPECT_EQ(s.task(1).description, "rotated 90 deg");
  at::Tensor x = s.task(1).train.images_at(at::arange(1, at::kLong));
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{1, 20}));
  EXPECT_FALSE(at::equal(x, d.train_images.narrow(0, 0, 1)));
}

TEST(Benchmarks, ParseNames) {
  EXPECT_EQ(parse_benchmark("split-fmnist").protocol, "split");
  EXPECT_EQ(parse_benchmark("permuted-mnist").dataset, "mnist");
  EXPECT_EQ(parse_benchmark("rotated").dataset, "custom");
  EXPECT_THROW(parse_benchmark("shuffled-fmnist"), c10::Error);
  EXPECT_THROW(parse_benchmark("split-cifar"), c10::Error);
  EXPECT_THROW(parse_scenario("instance"), c10::Error);
}

} // namespace
} // namespace engram::data
