// DER and DER++: the buffer keeps each sample's logits from the step that stored it, and the
// replay terms are alpha * MSE against them (and, for DER++, beta * CE of a second minibatch).
#include <engram/cl/der.h>
#include <engram/cl/derpp.h>
#include <engram/cl/logit_reservoir.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace engram::cl {
namespace {

Batch numbered(int64_t from, int64_t n) {
  at::Tensor ids = at::arange(from, from + n, at::kLong);
  return Batch{ids.to(at::kFloat).unsqueeze(1).expand({n, 3}).contiguous(), ids % 3,
               at::zeros({n}, at::kLong)};
}

// A context whose model is the fixed linear map x -> x W, with the cross-entropy over all units.
struct LinearContext {
  at::Tensor w = at::tensor({0.5f, -1.f, 2.f, 0.25f, 1.5f, -0.5f, -1.f, 0.f, 1.f}).view({3, 3});
  StrategyContext ctx;
  LinearContext() {
    ctx.generator = at::make_generator<at::CPUGeneratorImpl>(4);
    ctx.forward = [this](const at::Tensor& x, const at::Tensor&) { return at::matmul(x, w); };
    ctx.loss = [this](const Batch& b) {
      return at::cross_entropy_loss(ctx.forward(b.x, b.task), b.y);
    };
  }
};

TEST(LogitReservoir, KeepsEverySampleWithEqualProbability) {
  // 60 samples in uneven batches into 12 slots, 2000 times: each is kept 400 times in
  // expectation. Chi-square with 59 degrees of freedom at p = 0.001 (critical value 95.8).
  constexpr int64_t kSamples = 60, kCapacity = 12, kTrials = 2000;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
  std::vector<double> counts(kSamples, 0.0);
  for (int64_t trial = 0; trial < kTrials; ++trial) {
    LogitReservoir buffer(kCapacity);
    int64_t offered = 0;
    for (int64_t size : {5, 1, 20, 34}) {
      Batch b = numbered(offered, size);
      buffer.add(b, b.x, gen);
      offered += size;
    }
    ASSERT_EQ(buffer.size(), kCapacity);
    ASSERT_EQ(buffer.seen(), kSamples);
    const at::Tensor ids = buffer.contents().logits.select(1, 0).to(at::kLong);
    const auto sorted = std::get<0>(at::sort(ids));
    ASSERT_TRUE(at::all(sorted.slice(0, 1) > sorted.slice(0, 0, -1)).item<bool>())
        << "a sample is stored twice";
    for (int64_t i = 0; i < ids.size(0); ++i)
      counts[static_cast<size_t>(ids[i].item<int64_t>())] += 1;
  }
  const double expected = static_cast<double>(kTrials * kCapacity) / kSamples;
  double chi2 = 0;
  for (double c : counts)
    chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 95.8) << "the reservoir sample is not uniform";
}

TEST(LogitReservoir, SamplesDistinctStoredRowsWithTheirLogits) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
  LogitReservoir buffer(8);
  EXPECT_EQ(buffer.sample(4, gen).size(), 0);
  Batch b = numbered(0, 5);
  buffer.add(b, b.x * 10, gen);
  const LogitSample s = buffer.sample(16, gen);
  ASSERT_EQ(s.size(), 5) << "without replacement: at most what is stored";
  EXPECT_TRUE(at::equal(s.logits, s.batch.x * 10)) << "a sample's logits travel with it";
  EXPECT_EQ(std::get<0>(at::_unique(s.batch.x.select(1, 0))).numel(), 5);
}

TEST(Der, StoresTheLogitsOfTheStepAndMatchesThemLater) {
  LinearContext lc;
  StrategyContext& ctx = lc.ctx;
  DerStrategy der(DerOptions().buffer_size(10).alpha(0.7).replay_batch(4));
  const Batch first = numbered(0, 4);
  // Logits unlike the model's: what is stored is what the step saw, not a recomputation.
  const at::Tensor z =
      at::tensor({1.f, 2.f, 3.f, -1.f, 0.f, 1.f, 4.f, 4.f, 4.f, 0.5f, 0.f, -2.f}).view({4, 3});
  const at::Tensor base = at::tensor(1.25f);
  EXPECT_TRUE(at::equal(der.before_backward(ctx, first, z, base), base))
      << "no replay term while the buffer is empty";
  der.after_step(ctx, first);
  const LogitSample stored = der.buffer().contents();
  ASSERT_EQ(stored.size(), 4);
  EXPECT_TRUE(at::equal(stored.logits, z));
  EXPECT_TRUE(at::equal(stored.batch.x, first.x));

  // The next step replays all four (replay_batch 4 of 4 stored, drawn without replacement).
  const Batch second = numbered(4, 4);
  const at::Tensor loss = der.before_backward(ctx, second, at::zeros({4, 3}), base);
  const double mse = (at::matmul(first.x, lc.w) - z).pow(2).mean().item<double>();
  EXPECT_NEAR(loss.item<double>(), 1.25 + 0.7 * mse, 1e-5);
}

TEST(Derpp, AddsTheCrossEntropyOfASecondReplayMinibatch) {
  LinearContext lc;
  StrategyContext& ctx = lc.ctx;
  DerppStrategy derpp(DerppOptions().buffer_size(10).alpha(0.3).beta(0.9).replay_batch(4));
  const Batch first = numbered(0, 4);
  const at::Tensor z = at::randn({4, 3}, lc.ctx.generator);
  derpp.before_backward(ctx, first, z, at::tensor(0.f));
  derpp.after_step(ctx, first);
  const at::Tensor loss = derpp.before_backward(ctx, numbered(4, 4), z, at::tensor(2.f));
  const at::Tensor out = at::matmul(first.x, lc.w);
  const double mse = (out - z).pow(2).mean().item<double>();
  const double ce = at::cross_entropy_loss(out, first.y).item<double>();
  EXPECT_NEAR(loss.item<double>(), 2.0 + 0.3 * mse + 0.9 * ce, 1e-5);
}

} // namespace
} // namespace engram::cl
