// Memory layers: GatedWorkingMemory against torch::nn::LSTM (forward + backward, same shapes,
// same weights, run side by side) and KeyValueMemory read throughput over the number of slots.
#include <benchmark/benchmark.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <engram/layers/memory/key_value_memory.h>
#include <torch/cuda.h>
#include <torch/nn/modules/rnn.h>

namespace em = engram::layers::memory;

namespace {

constexpr int64_t kSteps = 100, kBatch = 32, kHidden = 256, kInput = 256;

template <typename Step>
void run_forward_backward(benchmark::State& state, Step&& step) {
  for (auto _ : state)
    step();
  state.SetItemsProcessed(state.iterations() * kSteps * kBatch);
}

void BM_TorchLstm_ForwardBackward(benchmark::State& state) {
  torch::manual_seed(0);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(kInput, kHidden));
  const at::Tensor x = torch::randn({kSteps, kBatch, kInput}).requires_grad_();
  run_forward_backward(state, [&] {
    auto [y, s] = lstm->forward(x);
    y.sum().backward();
  });
}

void BM_GatedWorkingMemory_ForwardBackward(benchmark::State& state) {
  torch::manual_seed(0);
  em::GatedWorkingMemory memory(
      em::GatedWorkingMemoryOptions(kInput, kHidden).fused(state.range(0) != 0));
  const at::Tensor x = torch::randn({kSteps, kBatch, kInput}).requires_grad_();
  run_forward_backward(state, [&] {
    auto [y, s] = memory->forward(x);
    y.sum().backward();
  });
}

// The same two on a GPU (skipped without one): torch::nn::LSTM runs cuDNN's fused LSTM. So does
// GatedWorkingMemory without peepholes (backend "auto" calls at::lstm); with peepholes
// (peephole:1) it runs engram's operator on ATen's CUDA kernels, the ratio gpu-check records
// (scripts/gpu-check.d/30-gated-memory.sh).
void BM_TorchLstm_ForwardBackward_Cuda(benchmark::State& state) {
  if (!torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  torch::manual_seed(0);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(kInput, kHidden));
  lstm->to(torch::kCUDA);
  const at::Tensor x = torch::randn({kSteps, kBatch, kInput}, torch::kCUDA).requires_grad_();
  run_forward_backward(state, [&] {
    auto [y, s] = lstm->forward(x);
    y.sum().backward();
    torch::cuda::synchronize();
  });
}

void BM_GatedWorkingMemory_ForwardBackward_Cuda(benchmark::State& state) {
  if (!torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  torch::manual_seed(0);
  em::GatedWorkingMemory memory(
      em::GatedWorkingMemoryOptions(kInput, kHidden).peephole(state.range(0) != 0));
  memory->to(torch::kCUDA);
  const at::Tensor x = torch::randn({kSteps, kBatch, kInput}, torch::kCUDA).requires_grad_();
  run_forward_backward(state, [&] {
    auto [y, s] = memory->forward(x);
    y.sum().backward();
    torch::cuda::synchronize();
  });
}

} // namespace

BENCHMARK(BM_TorchLstm_ForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TorchLstm_ForwardBackward_Cuda)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GatedWorkingMemory_ForwardBackward_Cuda)
    ->ArgName("peephole")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_GatedWorkingMemory_ForwardBackward)
    ->ArgName("fused")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
namespace {

// Reads per second from a full memory of K slots (batch 32, key and value size 64, cosine).
void BM_KeyValueMemory_Read(benchmark::State& state) {
  torch::manual_seed(0);
  const int64_t slots = state.range(0), batch = 32, width = 64;
  em::KeyValueMemory memory(em::KeyValueMemoryOptions(slots, width, width));
  memory->reset_state(batch);
  memory->append(torch::randn({batch, slots, width}), torch::randn({batch, slots, width}));
  const at::Tensor query = torch::randn({batch, width});
  at::NoGradGuard no_grad;
  for (auto _ : state)
    benchmark::DoNotOptimize(memory->read(query));
  state.SetItemsProcessed(state.iterations() * batch);
}

} // namespace

BENCHMARK(BM_KeyValueMemory_Read)
    ->ArgName("K")
    ->Arg(64)
    ->Arg(1024)
    ->Arg(16384)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

BENCHMARK_MAIN();
