// Fused plastic_rnn vs the unrolled ATen reference: forward + backward time and peak CPU memory
// (bytes allocated through LibTorch's CPU allocator, counted by CpuMemoryCounter, above what was
// live before the iteration). A ratio table (reference / fused, medians) is printed at the end.
//
//   build/bench/bench_plastic_ops --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Times are wall clock and process CPU time (all threads): on a shared machine the CPU time is
// the steadier measure of the work done.
#include <engram/ops/plastic_rnn.h>
#include <support/cpu_memory_counter.h>

#include <benchmark/benchmark.h>
#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <ATen/Parallel.h>

#include <cstdio>
#include <map>
#include <string>

namespace {

using engram::ops::Modulation;
using engram::ops::PlasticRnnModulationInputs;
using engram::ops::PlasticRnnOptions;
using engram::testing::CpuMemoryCounter;

struct Problem {
  torch::Tensor x, h0, H0, W_in, W, alpha, b, eta, w_m, b_m;
};

Problem make_problem(int64_t T, int64_t B, int64_t N, torch::Device device = torch::kCPU) {
  torch::manual_seed(0);
  const int64_t I = 32;
  const auto o = torch::TensorOptions().device(device);
  Problem p;
  p.x = torch::randn({T, B, I}, o);
  p.h0 = torch::zeros({B, N}, o);
  p.H0 = torch::zeros({B, N, N}, o);
  p.W_in = (torch::randn({N, I}, o) / std::sqrt(double(I))).requires_grad_(true);
  p.W = (torch::randn({N, N}, o) / std::sqrt(double(N))).requires_grad_(true);
  p.alpha = (torch::randn({N, N}, o) * 0.01).requires_grad_(true);
  p.b = torch::zeros({N}, o).requires_grad_(true);
  p.eta = torch::full({}, 0.03, o).requires_grad_(true);
  p.w_m = (torch::randn({N}, o) / std::sqrt(double(N))).requires_grad_(true);
  p.b_m = torch::zeros({1}, o).requires_grad_(true);
  return p;
}

// Backpropamine's simple neuromodulation: m_t = tanh(w_m·h_t + b_m), Hebbian rule, clip 2.
void run_once(const Problem& p, bool reference) {
  PlasticRnnModulationInputs mod;
  mod.w_m = p.w_m;
  mod.b_m = p.b_m;
  const auto opt = PlasticRnnOptions().modulation(Modulation::kSimple).clip(2.0);
  const auto r = reference ? engram::ops::reference::plastic_rnn(p.x, p.h0, p.H0, p.W_in, p.W,
                                                                 p.alpha, p.b, p.eta, mod, opt)
                           : engram::ops::plastic_rnn(p.x, p.h0, p.H0, p.W_in, p.W, p.alpha, p.b,
                                                      p.eta, mod, opt);
  const auto loss = r.outputs.square().mean() + r.H.square().mean();
  const auto grads = torch::autograd::grad({loss}, {p.W_in, p.W, p.alpha, p.b, p.eta, p.w_m}, {},
                                           false, false, /*allow_unused=*/true);
  benchmark::DoNotOptimize(grads[0].data_ptr());
}

// CUDA (skipped without a GPU): mode 0 fused forward+backward, 1 reference forward+backward,
// 2 fused forward only, 3 reference forward only. The CUDA backward re-runs the reference one
// checkpoint interval at a time. trace_GBps counts the trace bytes a step must touch
// (read H, Wᵀ, A; write H: 4·B·T·N² elements) per second of forward.
void BM_PlasticRnnCuda(benchmark::State& state) {
  if (!torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const int64_t mode = state.range(0), B = state.range(1), N = state.range(2), T = state.range(3);
  const auto p = make_problem(T, B, N, torch::kCUDA);
  PlasticRnnModulationInputs mod;
  mod.w_m = p.w_m;
  mod.b_m = p.b_m;
  const auto opt = PlasticRnnOptions().modulation(Modulation::kSimple).clip(2.0);
  for (auto _ : state) {
    if (mode <= 1) {
      run_once(p, mode == 1);
    } else {
      torch::NoGradGuard no_grad;
      const auto r = mode == 2 ? engram::ops::plastic_rnn(p.x, p.h0, p.H0, p.W_in, p.W, p.alpha,
                                                          p.b, p.eta, mod, opt)
                               : engram::ops::reference::plastic_rnn(p.x, p.h0, p.H0, p.W_in, p.W,
                                                                     p.alpha, p.b, p.eta, mod, opt);
      benchmark::DoNotOptimize(r.H.data_ptr());
    }
    torch::cuda::synchronize();
  }
  static const char* const labels[] = {"cuda fused fwd+bwd", "cuda reference fwd+bwd",
                                       "cuda fused fwd", "cuda reference fwd"};
  state.SetLabel(labels[mode]);
  if (mode >= 2) {
    state.counters["trace_GBps"] = benchmark::Counter(
        4.0 * B * T * N * N * sizeof(float) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  }
}
BENCHMARK(BM_PlasticRnnCuda)
    ->ArgNames({"mode", "B", "N", "T"})
    ->ArgsProduct({{0, 1, 2, 3}, {32}, {128, 256}, {200, 1000}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_PlasticRnnForwardBackward(benchmark::State& state) {
  const bool reference = state.range(0) != 0;
  const int64_t B = state.range(1), N = state.range(2), T = state.range(3);
  CpuMemoryCounter::install();
  const auto p = make_problem(T, B, N);
  int64_t peak = 0;
  for (auto _ : state) {
    const int64_t before = CpuMemoryCounter::live_bytes();
    CpuMemoryCounter::reset_peak();
    run_once(p, reference);
    peak = std::max(peak, CpuMemoryCounter::peak_bytes() - before);
  }
  state.counters["peak_MiB"] = static_cast<double>(peak) / (1 << 20);
  state.SetLabel(reference ? "reference" : "fused");
}

// Reference runs are kept where its activations (~B·N²·T floats per saved tensor) stay small.
void Grid(benchmark::internal::Benchmark* b) {
  for (int64_t B : {1, 32}) {
    for (int64_t N : {64, 128, 256}) {
      for (int64_t T : {100, 200, 1000}) {
        if (T == 200 && !(B == 32 && N == 128)) {
          continue; // T=200 only for the headline configuration
        }
        const double ref_floats = double(B) * N * N * T;
        for (int64_t ref : {0, 1}) {
          if (ref == 1 && ref_floats > 1.1e8) {
            continue;
          }
          if (ref == 0 && B == 32 && N == 256 && T == 1000) {
            continue; // tens of seconds per iteration on two cores
          }
          b->Args({ref, B, N, T});
        }
      }
    }
  }
}

BENCHMARK(BM_PlasticRnnForwardBackward)
    ->ArgNames({"ref", "B", "N", "T"})
    ->Apply(Grid)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// Inference only (no graph, no checkpoints): the fused forward alone.
void BM_PlasticRnnForwardOnly(benchmark::State& state) {
  const int64_t B = state.range(0), N = state.range(1), T = state.range(2);
  const auto p = make_problem(T, B, N);
  torch::NoGradGuard no_grad;
  PlasticRnnModulationInputs mod;
  mod.w_m = p.w_m;
  mod.b_m = p.b_m;
  const auto opt = PlasticRnnOptions().modulation(Modulation::kSimple).clip(2.0);
  for (auto _ : state) {
    const auto r =
        engram::ops::plastic_rnn(p.x, p.h0, p.H0, p.W_in, p.W, p.alpha, p.b, p.eta, mod, opt);
    benchmark::DoNotOptimize(r.H.data_ptr());
  }
  state.SetLabel("fused forward only");
}
BENCHMARK(BM_PlasticRnnForwardOnly)
    ->ArgNames({"B", "N", "T"})
    ->Args({32, 128, 200})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The attainable time of the fused forward on this machine: the same memory streams per step and
// sample (read H_b, Wᵀ and alpha, write H_b, each N×N) with one multiply-add per element, on the
// same loop structure (a task per sample, all T steps over that sample's trace, AVX2+FMA). The
// fused forward's time divided by this one is how far it is from its memory bound
// (docs/ops.md, "Byte and FLOP model"). Counter bytes_per_s: 4·N²·4 bytes per sample and step.
__attribute__((target("avx2,fma"))) void
stream_rows(float* __restrict H, const float* __restrict WT, const float* __restrict A, int64_t n) {
  for (int64_t k = 0; k < n; ++k) {
    H[k] = H[k] * 0.999f + WT[k] * A[k];
  }
}

void BM_PlasticRnnForwardStreamBound(benchmark::State& state) {
  const int64_t B = state.range(0), N = state.range(1), T = state.range(2);
  const int64_t NN = N * N;
  torch::Tensor H = torch::randn({B, NN}), WT = torch::randn({NN}), A = torch::randn({NN});
  float* h = H.data_ptr<float>();
  const float* wt = WT.data_ptr<float>();
  const float* a = A.data_ptr<float>();
  for (auto _ : state) {
    at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        for (int64_t t = 0; t < T; ++t) {
          stream_rows(h + b * NN, wt, a, NN);
        }
      }
    });
    benchmark::DoNotOptimize(h);
  }
  const double bytes = 4.0 * double(NN) * sizeof(float) * double(B) * double(T);
  state.counters["bytes_per_s"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("stream bound of the forward (H, W, alpha in; H out)");
}
BENCHMARK(BM_PlasticRnnForwardStreamBound)
    ->ArgNames({"B", "N", "T"})
    ->Args({32, 128, 200})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Collects medians (or single runs) and prints reference/fused ratios per configuration.
class RatioReporter : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") {
        continue;
      }
      std::string name = run.benchmark_name();
      const auto agg = name.find("_median");
      if (agg != std::string::npos) {
        name = name.substr(0, agg);
      }
      const auto ref_pos = name.find("ref:");
      if (ref_pos == std::string::npos) {
        continue;
      }
      const bool ref = name[ref_pos + 4] == '1';
      const std::string config = name.substr(name.find("/B:"));
      auto& row = rows_[config];
      const double ms = run.GetAdjustedRealTime();
      const double cpu_ms = run.GetAdjustedCPUTime();
      (ref ? row.ref_cpu_ms : row.fused_cpu_ms) = cpu_ms;
      const double mib = run.counters.count("peak_MiB") ? run.counters.at("peak_MiB").value : 0;
      (ref ? row.ref_ms : row.fused_ms) = ms;
      (ref ? row.ref_mib : row.fused_mib) = mib;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n| config | fused wall ms | reference wall ms | wall speed-up | fused CPU ms | "
                "reference CPU ms | CPU-time speed-up | fused peak MiB | reference peak MiB | "
                "memory ratio |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& [config, r] : rows_) {
      if (r.ref_ms > 0 && r.fused_ms > 0) {
        std::printf("| %s | %.1f | %.1f | %.1fx | %.1f | %.1f | %.1fx | %.2f | %.1f | %.1fx |\n",
                    config.c_str(), r.fused_ms, r.ref_ms, r.ref_ms / r.fused_ms, r.fused_cpu_ms,
                    r.ref_cpu_ms, r.ref_cpu_ms / r.fused_cpu_ms, r.fused_mib, r.ref_mib,
                    r.ref_mib / std::max(r.fused_mib, 1e-9));
      } else {
        std::printf("| %s | %.1f | - | - | %.1f | - | - | %.2f | - | - |\n", config.c_str(),
                    r.fused_ms, r.fused_cpu_ms, r.fused_mib);
      }
    }
  }

private:
  struct Row {
    double fused_ms = 0, ref_ms = 0, fused_cpu_ms = 0, ref_cpu_ms = 0, fused_mib = 0, ref_mib = 0;
  };
  std::map<std::string, Row> rows_;
};

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
