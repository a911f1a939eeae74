// The validation split of --hp-grid is cut from the training data only: disjoint from what
// training sees, never the test set, fixed by the seed.
#include <engram/data/validation_split.h>

#include <engram/data/benchmark.h>

#include <support/error_message.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <set>

namespace engram::data {
namespace {

std::set<int64_t> as_set(const at::Tensor& t) {
  std::set<int64_t> s;
  for (int64_t i = 0; i < t.size(0); ++i)
    s.insert(t[i].item<int64_t>());
  return s;
}

Stream split_stream(uint64_t seed) {
  const Dataset d = load_benchmark_dataset(parse_benchmark("split-synthetic"), "", seed);
  return make_benchmark_stream(parse_benchmark("split-synthetic"), d, Scenario::kClass, 5, seed);
}

TEST(ValidationSplit, HeldOutFromTrainingNeverTheTestSet) {
  const Stream full = split_stream(0);
  const Stream v = hold_out_validation(full, 0.1, 0);
  ASSERT_EQ(v.num_tasks(), full.num_tasks());
  for (int64_t t = 0; t < full.num_tasks(); ++t) {
    const Task& a = full.task(t);
    const Task& b = v.task(t);
    // Both new splits index the training images; the test images are not touched.
    EXPECT_TRUE(b.test.images.is_same(a.train.images));
    EXPECT_TRUE(b.train.images.is_same(a.train.images));
    EXPECT_FALSE(b.test.images.is_same(a.test.images));
    const auto train_rows = as_set(a.train.indices);
    const auto kept = as_set(b.train.indices);
    const auto held = as_set(b.test.indices);
    EXPECT_EQ(static_cast<int64_t>(held.size()), (a.train.size() + 5) / 10); // 10%, rounded
    EXPECT_EQ(kept.size() + held.size(), train_rows.size());
    for (int64_t i : held) {
      EXPECT_TRUE(train_rows.count(i)) << "validation row " << i << " not a training row";
      EXPECT_FALSE(kept.count(i)) << "validation row " << i << " also trained on";
    }
    for (int64_t i : kept)
      EXPECT_TRUE(train_rows.count(i));
    // Targets follow their samples.
    for (int64_t k = 0; k < b.test.size(); ++k) {
      const int64_t row = b.test.indices[k].item<int64_t>();
      const auto pos = (a.train.indices == row).nonzero()[0][0].item<int64_t>();
      EXPECT_EQ(b.test.targets[k].item<int64_t>(), a.train.targets[pos].item<int64_t>());
    }
  }
}

TEST(ValidationSplit, FixedBySeed) {
  const Stream full = split_stream(0);
  const Stream a = hold_out_validation(full, 0.1, 0);
  const Stream b = hold_out_validation(full, 0.1, 0);
  const Stream c = hold_out_validation(full, 0.1, 1);
  EXPECT_TRUE(at::equal(a.task(2).test.indices, b.task(2).test.indices));
  EXPECT_FALSE(at::equal(a.task(2).test.indices, c.task(2).test.indices));
}

TEST(ValidationSplit, FractionOutsideTheOpenUnitIntervalIsRefused) {
  const Stream full = split_stream(0);
  EXPECT_ERROR_MENTIONS(hold_out_validation(full, 0, 0),
                        "argument 'fraction' expected a number in (0, 1), got 0");
  EXPECT_ERROR_MENTIONS(hold_out_validation(full, 1, 0), "got 1");
}

} // namespace
} // namespace engram::data
