#include <engram/layers/memory/classical_hopfield.h>
#include <engram/layers/memory/hopfield_retrieval.h>
#include <engram/tasks/memory_tasks.h>
#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <iostream>
#include <sstream>

namespace em = engram::layers::memory;
namespace tasks = engram::tasks;

namespace {

using tasks::exact_recall;

TEST(HopfieldRetrieval, CompletesHundredPatternsOfSize64FromCorruptedProbes) {
  torch::manual_seed(11);
  const at::Tensor patterns = tasks::random_sign_patterns(100, 64);
  em::HopfieldRetrieval hopfield(em::HopfieldRetrievalOptions(64).beta(1.0).max_steps(20));
  hopfield->store(patterns);
  // 20% of the bits flipped: essentially every probe is decodable and recalled exactly.
  const at::Tensor probes20 = tasks::flip_bits(patterns, 0.2);
  const auto r20 = hopfield->retrieve(probes20);
  EXPECT_TRUE(r20.converged);
  EXPECT_LE(r20.steps, 4);
  EXPECT_GT(exact_recall(r20.state, patterns), 0.99);
  // 30% flipped (19 of 64 bits): a few random patterns lie as close to the probe as its own
  // (P ~ 7% for 99 competitors), which no decoder can undo; the modern network recalls every
  // decodable probe exactly.
  double recalled = 0, bound = 0, with_ties = 0;
  for (int trial = 0; trial < 10; ++trial) {
    const at::Tensor probes = tasks::flip_bits(patterns, 0.3);
    recalled += exact_recall(hopfield->retrieve(probes).state, patterns) / 10;
    bound += tasks::nearest_pattern_bound(probes, patterns) / 10;
    with_ties += tasks::nearest_pattern_bound(probes, patterns, /*count_ties=*/true) / 10;
  }
  std::cout << "modern Hopfield, 30% flipped: exact recall " << recalled
            << ", own pattern strictly nearest " << bound << ", nearest or tied " << with_ties
            << "\n";
  EXPECT_GE(recalled, bound - 0.005);
  EXPECT_LE(recalled, with_ties);
  EXPECT_GT(recalled, 0.88);
}

TEST(HopfieldRetrieval, OneUpdateAtLargeBetaAndEnergyDecreases) {
  torch::manual_seed(12);
  const at::Tensor patterns = tasks::random_sign_patterns(30, 32);
  em::HopfieldRetrieval hopfield(em::HopfieldRetrievalOptions(32).beta(8.0).max_steps(1));
  hopfield->store(patterns);
  const at::Tensor probes = tasks::flip_bits(patterns, 0.1);
  const at::Tensor out = hopfield->retrieve(probes).state;
  EXPECT_LT((out - patterns).abs().max().item<double>(), 1e-4);
  EXPECT_TRUE(hopfield->energy(out).lt(hopfield->energy(probes)).all().item<bool>());
}

TEST(HopfieldRetrieval, StopsWhenTheStepIsBelowEpsAndIsDifferentiable) {
  torch::manual_seed(13);
  em::HopfieldRetrieval hopfield(em::HopfieldRetrievalOptions(8).beta(0.05).max_steps(3).eps(0));
  const at::Tensor patterns = torch::randn({5, 8});
  hopfield->store(patterns);
  const at::Tensor q = torch::randn({2, 8}).requires_grad_();
  const auto r = hopfield->retrieve(q);
  EXPECT_EQ(r.steps, 3);
  EXPECT_FALSE(r.converged);
  r.state.sum().backward();
  EXPECT_GT(q.grad().abs().sum().item<double>(), 0);
  // Per-batch patterns give the same result as shared ones.
  const at::Tensor shared = hopfield->retrieve(q.detach()).state;
  const at::Tensor batched =
      hopfield->retrieve(q.detach(), patterns.unsqueeze(0).expand({2, 5, 8})).state;
  EXPECT_TRUE(shared.allclose(batched, 1e-5, 1e-6));
}

TEST(HopfieldRetrieval, RejectsBadInputAndSavesPatterns) {
  EXPECT_THROW(em::HopfieldRetrieval(em::HopfieldRetrievalOptions(4).beta(0)), c10::Error);
  EXPECT_THROW(em::HopfieldRetrieval(em::HopfieldRetrievalOptions(4).max_steps(0)), c10::Error);
  em::HopfieldRetrieval hopfield(4);
  EXPECT_THROW(hopfield->retrieve(torch::randn({2, 4})), c10::Error); // nothing stored
  EXPECT_THROW(hopfield->store(torch::randn({3, 5})), c10::Error);
  hopfield->store(torch::randn({3, 4}));
  EXPECT_THROW(hopfield->retrieve(torch::randn({2, 5})), c10::Error);
  EXPECT_THROW(hopfield->retrieve(torch::randn({2, 4}), torch::randn({3, 3, 4})), c10::Error);
  std::stringstream stream;
  torch::save(hopfield, stream);
  em::HopfieldRetrieval loaded(4);
  torch::load(loaded, stream);
  EXPECT_TRUE(loaded->patterns().equal(hopfield->patterns()));
}

TEST(ClassicalHopfield, CapacityLimitShowsBelowAndAbove) {
  torch::manual_seed(14);
  const int64_t n = 200; // capacity ~ 0.138 N = 27.6 patterns
  em::ClassicalHopfield network(n);
  EXPECT_NEAR(network->capacity(), 27.6, 1e-9);
  auto recall_rate = [&](int64_t count) {
    const at::Tensor patterns = tasks::random_sign_patterns(count, n);
    network->store(patterns);
    const auto result = network->recall(tasks::flip_bits(patterns, 0.1));
    EXPECT_TRUE(result.converged);
    return exact_recall(result.state, patterns);
  };
  const double below = recall_rate(10); // 0.05 N
  const double above = recall_rate(60); // 0.3 N
  std::cout << "classical Hopfield N=200: exact recall " << below << " at 10 patterns, " << above
            << " at 60 patterns\n";
  EXPECT_GE(below, 0.98);
  EXPECT_LE(above, 0.10);
}

TEST(ClassicalHopfield, RecallNeverRaisesTheEnergyAndChecksInput) {
  torch::manual_seed(15);
  em::ClassicalHopfield network(50);
  const at::Tensor patterns = tasks::random_sign_patterns(5, 50);
  network->store(patterns);
  EXPECT_TRUE(network->weight().diagonal().eq(0).all().item<bool>());
  const at::Tensor probes = tasks::flip_bits(tasks::random_sign_patterns(20, 50), 0.0);
  const at::Tensor probes_before = probes.clone();
  const auto result = network->recall(probes);
  EXPECT_TRUE(probes.equal(probes_before)); // recall works on a copy
  EXPECT_FALSE(result.state.equal(probes)); // random probes are not fixed points of 5 patterns
  EXPECT_TRUE(network->energy(result.state).le(network->energy(probes) + 1e-5).all().item<bool>());
  EXPECT_THROW(network->store(torch::randn({2, 50})), c10::Error); // not +-1
  EXPECT_THROW(network->recall(torch::ones({2, 49})), c10::Error);
  EXPECT_THROW(em::ClassicalHopfield(0), c10::Error);
}

} // namespace
