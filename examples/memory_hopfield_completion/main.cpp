// Hopfield pattern completion at full size: 100 random +-1 patterns of dimension 64, probed with
// 30% of their bits flipped. Modern retrieval is swept over beta against the nearest-pattern
// bound (no decoder can recall a probe that another stored pattern matches at least as well);
// the classical network's exact recall is swept over the number of stored patterns around its
// capacity 0.138 N.
//
//   example_memory_hopfield_completion [seed=1] [trials=10]
#include <engram/layers/memory/classical_hopfield.h>
#include <engram/layers/memory/hopfield_retrieval.h>
#include <engram/tasks/memory_tasks.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace em = engram::layers::memory;
namespace tasks = engram::tasks;

namespace {

constexpr int64_t kPatterns = 100, kSize = 64;
constexpr double kFlipped = 0.3;

void modern_sweep(int trials) {
  std::vector<at::Tensor> patterns, probes;
  double bound = 0, with_ties = 0;
  for (int t = 0; t < trials; ++t) {
    patterns.push_back(tasks::random_sign_patterns(kPatterns, kSize));
    probes.push_back(tasks::flip_bits(patterns.back(), kFlipped));
    bound += tasks::nearest_pattern_bound(probes.back(), patterns.back()) / trials;
    with_ties += tasks::nearest_pattern_bound(probes.back(), patterns.back(), true) / trials;
  }
  std::printf("Modern Hopfield retrieval: %lld patterns of size %lld, %.0f%% of bits flipped, "
              "%d x %lld probes\n",
              static_cast<long long>(kPatterns), static_cast<long long>(kSize), 100 * kFlipped,
              trials, static_cast<long long>(kPatterns));
  std::printf("probe's own pattern strictly nearest: %.2f%%, nearest or tied: %.2f%%\n",
              100 * bound, 100 * with_ties);
  std::printf("%8s %14s %10s\n", "beta", "exact recall", "max steps");
  for (const double beta : {0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0}) {
    em::HopfieldRetrieval hopfield(em::HopfieldRetrievalOptions(kSize).beta(beta).max_steps(50));
    double recalled = 0;
    int64_t steps = 0;
    for (int t = 0; t < trials; ++t) {
      hopfield->store(patterns[t]);
      const auto result = hopfield->retrieve(probes[t]);
      recalled += tasks::exact_recall(result.state, patterns[t]) / trials;
      steps = std::max(steps, result.steps);
    }
    std::printf("%8.2f %13.2f%% %10lld\n", beta, 100 * recalled, static_cast<long long>(steps));
  }
  // The classical network on the same task, far beyond its capacity (100 patterns vs 0.138*64).
  double classical = 0;
  for (int t = 0; t < trials; ++t) {
    em::ClassicalHopfield network(kSize);
    network->store(patterns[t]);
    classical += tasks::exact_recall(network->recall(probes[t]).state, patterns[t]) / trials;
  }
  std::printf("classical Hopfield on the same probes: %.2f%%\n\n", 100 * classical);
}

// Exact recall from 10% flipped bits, the mean overlap reached, and the fraction of stored
// patterns that are fixed points, at N neurons for several loads P / N.
void classical_sweep(int64_t n, const std::vector<int64_t>& counts, int trials) {
  em::ClassicalHopfield network(n);
  std::printf("Classical Hopfield, N = %lld (capacity 0.138 N = %.1f), probes with 10%% flipped, "
              "%d trials\n",
              static_cast<long long>(n), network->capacity(), trials);
  std::printf("%6s %8s %14s %14s %16s\n", "P", "P/N", "exact recall", "mean overlap",
              "stable patterns");
  for (const int64_t count : counts) {
    double exact = 0, overlap = 0, stable = 0;
    for (int t = 0; t < trials; ++t) {
      const at::Tensor patterns = tasks::random_sign_patterns(count, n);
      network->store(patterns);
      const at::Tensor state = network->recall(tasks::flip_bits(patterns, 0.1)).state;
      exact += tasks::exact_recall(state, patterns) / trials;
      overlap += (state * patterns).mean().item<double>() / trials;
      stable += tasks::exact_recall(network->recall(patterns).state, patterns) / trials;
    }
    std::printf("%6lld %8.3f %13.2f%% %14.3f %15.2f%%\n", static_cast<long long>(count),
                static_cast<double>(count) / static_cast<double>(n), 100 * exact, overlap,
                100 * stable);
  }
  std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hopfield pattern completion: modern retrieval vs the classical network"};
  uint64_t seed = 1;
  int trials = 10;
  app.add_option("seed", seed, "seed");
  app.add_option("trials", trials, "trials per setting");
  CLI11_PARSE(app, argc, argv);
  if (trials < 1) {
    std::fprintf(stderr, "trials expected >= 1, got %d\n", trials);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  torch::manual_seed(seed);
  modern_sweep(trials);
  classical_sweep(64, {2, 4, 6, 8, 9, 10, 12, 16, 20}, trials);
  classical_sweep(500, {25, 40, 50, 60, 70, 80, 100, 125, 150}, trials);
  std::printf("%.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}
