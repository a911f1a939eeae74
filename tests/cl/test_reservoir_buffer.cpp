// Reservoir sampling keeps a uniform sample of everything offered, whatever the batch sizes.
#include <engram/cl/reservoir_buffer.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace engram::cl {
namespace {

Batch numbered(int64_t from, int64_t n) {
  at::Tensor ids = at::arange(from, from + n, at::kLong);
  return Batch{ids.to(at::kFloat).unsqueeze(1), ids, at::zeros({n}, at::kLong)};
}

TEST(ReservoirBuffer, FillsThenStaysAtCapacity) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  ReservoirBuffer buffer(10);
  buffer.add(numbered(0, 4), gen);
  EXPECT_EQ(buffer.size(), 4);
  buffer.add(numbered(4, 30), gen);
  EXPECT_EQ(buffer.size(), 10);
  EXPECT_EQ(buffer.seen(), 34);
  // Every stored sample is one that was offered, stored once.
  auto y = std::get<0>(at::sort(buffer.contents().y));
  EXPECT_TRUE(at::all(y.slice(0, 1) > y.slice(0, 0, -1)).item<bool>());
  EXPECT_TRUE(at::all(y < 34).item<bool>());
}

TEST(ReservoirBuffer, KeepsEverySampleWithEqualProbability) {
  // 100 samples offered in uneven batches to a buffer of 20, 3000 times: each sample should be kept
  // 3000 * 20/100 = 600 times. Chi-square test with 99 degrees of freedom at p = 0.001 (critical
  // value 148.2).
  constexpr int64_t kSamples = 100, kCapacity = 20, kTrials = 3000;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(42);
  std::vector<double> counts(kSamples, 0.0);
  for (int64_t trial = 0; trial < kTrials; ++trial) {
    ReservoirBuffer buffer(kCapacity);
    int64_t offered = 0;
    for (int64_t size : {7, 1, 30, 13, 49}) {
      buffer.add(numbered(offered, size), gen);
      offered += size;
    }
    ASSERT_EQ(offered, kSamples);
    auto y = buffer.contents().y;
    for (int64_t i = 0; i < y.size(0); ++i)
      counts[y[i].item<int64_t>()] += 1;
  }
  const double expected = static_cast<double>(kTrials * kCapacity) / kSamples;
  double chi2 = 0;
  for (double c : counts)
    chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 148.2) << "reservoir sample is not uniform";
  // Early and late halves equally represented (a FIFO or first-come buffer fails this).
  double early = 0, late = 0;
  for (int64_t i = 0; i < kSamples; ++i)
    (i < kSamples / 2 ? early : late) += counts[i];
  EXPECT_NEAR(early / (early + late), 0.5, 0.02);
}

TEST(ReservoirBuffer, SamplesOnlyStoredItems) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  ReservoirBuffer buffer(5);
  EXPECT_EQ(buffer.sample(8, gen).x.defined(), false);
  buffer.add(numbered(10, 3), gen);
  Batch s = buffer.sample(64, gen);
  EXPECT_EQ(s.size(), 64);
  EXPECT_TRUE(at::all((s.y >= 10).logical_and(s.y < 13)).item<bool>());
}

} // namespace
} // namespace engram::cl
