// HebbianLinear::learn throughput (samples/s) on CPU, per rule, against a plain forward of the
// same layer in the same run (the floor any rule pays).
//   build/bench/bench_hebbian --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <engram/layers/hebbian/hebbian_linear.h>

#include <benchmark/benchmark.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace {

using namespace engram::layers;

constexpr int64_t kIn = 784;
constexpr int64_t kOut = 256;

void run(benchmark::State& state, HebbianRule rule, bool learn) {
  torch::manual_seed(0);
  const auto batch = state.range(0);
  HebbianLinear layer(HebbianLinearOptions(kIn, kOut)
                          .rule(rule)
                          .learning_rate(1e-3)
                          .temperature(0.1)
                          .weight_normalization(WeightNormalization::kUnitNorm));
  const auto x = torch::rand({batch, kIn});
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    benchmark::DoNotOptimize(learn ? layer->learn(x) : layer(x));
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch),
                                                   benchmark::Counter::kIsRate);
}

void BM_Forward(benchmark::State& s) {
  run(s, HebbianRule::kOja, false);
}
void BM_LearnHebb(benchmark::State& s) {
  run(s, HebbianRule::kHebb, true);
}
void BM_LearnOja(benchmark::State& s) {
  run(s, HebbianRule::kOja, true);
}
void BM_LearnSanger(benchmark::State& s) {
  run(s, HebbianRule::kSanger, true);
}
void BM_LearnBcm(benchmark::State& s) {
  run(s, HebbianRule::kBcm, true);
}
void BM_LearnSoftWta(benchmark::State& s) {
  run(s, HebbianRule::kSoftWta, true);
}
void BM_LearnHardWta(benchmark::State& s) {
  run(s, HebbianRule::kHardWta, true);
}

#define HEBBIAN_BENCH(fn) BENCHMARK(fn)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond)
HEBBIAN_BENCH(BM_Forward);
HEBBIAN_BENCH(BM_LearnHebb);
HEBBIAN_BENCH(BM_LearnOja);
HEBBIAN_BENCH(BM_LearnSanger);
HEBBIAN_BENCH(BM_LearnBcm);
HEBBIAN_BENCH(BM_LearnSoftWta);
HEBBIAN_BENCH(BM_LearnHardWta);

} // namespace

BENCHMARK_MAIN();
