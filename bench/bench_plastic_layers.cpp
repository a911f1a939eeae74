// PlasticRNN forward + backward: the layer on the fused op against the same network written as
// unrolled LibTorch ops (PlasticRNNOptions::fused(false)), in the same run. Args: B, N, T.
//   build/bench/bench_plastic_layers --benchmark_repetitions=3
//   --benchmark_report_aggregates_only=true
#include <engram/layers/plastic/plastic_rnn.h>

#include <benchmark/benchmark.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace {

using namespace engram::layers;

void run(benchmark::State& state, bool fused) {
  torch::manual_seed(0);
  const auto batch = state.range(0);
  const auto hidden = state.range(1);
  const auto steps = state.range(2);
  PlasticRNN net(PlasticRNNOptions(hidden, hidden)
                     .modulation(Modulation::kRetroactive)
                     .clip(1.0)
                     .fused(fused));
  const auto x = torch::randn({steps, batch, hidden});
  for (auto _ : state) {
    net->zero_grad();
    net(x).outputs.square().mean().backward();
    benchmark::DoNotOptimize(net->w.grad().data_ptr());
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations() * steps),
                                                 benchmark::Counter::kIsRate);
}

void BM_PlasticRnnFused(benchmark::State& s) {
  run(s, true);
}
void BM_PlasticRnnUnrolled(benchmark::State& s) {
  run(s, false);
}

#define PLASTIC_BENCH(fn)                                                                          \
  BENCHMARK(fn)->Args({1, 64, 100})->Args({32, 128, 200})->Unit(benchmark::kMillisecond)
PLASTIC_BENCH(BM_PlasticRnnFused);
PLASTIC_BENCH(BM_PlasticRnnUnrolled);

} // namespace

BENCHMARK_MAIN();
