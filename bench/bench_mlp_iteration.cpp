// Where one training iteration of the 2x400 MLP goes (Split Fashion-MNIST shapes: a task of 12000
// images of 784 pixels, batch 128, class-IL mask, Adam 1e-3): each benchmark adds one section of
// the trainer's iteration (src/train/continual_trainer.cpp) to the previous one, so the
// differences between consecutive rows are the sections' costs:
//   Gather      indices drawn by the CPU generator, sent to the device, two index_selects
//   Forward     + the network's forward and the masked cross-entropy
//   Backward    + zero_grad and backward
//   Step        + Adam's step: the whole iteration
// ENGRAM_BENCH_DEVICE picks the device (default cpu).
//   OMP_NUM_THREADS=1 build/bench/bench_mlp_iteration --benchmark_repetitions=3
//     --benchmark_report_aggregates_only=true    (one command line)
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/device.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>

#include <cstdlib>

namespace {

using namespace engram;

constexpr int64_t kTaskImages = 12000, kPixels = 784, kClasses = 10, kBatch = 128;

c10::Device bench_device() {
  const char* d = std::getenv("ENGRAM_BENCH_DEVICE");
  return train::parse_device(d ? d : "cpu");
}

// The waits of a device the host does not otherwise wait for.
void sync(const c10::Device& device) {
  if (device.is_cuda())
    torch::cuda::synchronize(device.index());
}

enum class Upto { kGather, kForward, kBackward, kStep };

void iteration(benchmark::State& state, Upto upto) {
  at::set_num_threads(1);
  const c10::Device device = bench_device();
  const auto on = at::TensorOptions().device(device);
  at::manual_seed(0);
  const at::Tensor images = at::rand({5 * kTaskImages, kPixels}).to(device);
  const at::Tensor rows = at::arange(kTaskImages, at::kLong).to(device);
  const at::Tensor targets = at::randint(2, {kTaskImages}, at::kLong).to(device);
  const at::Tensor inactive = (at::arange(kClasses, on.dtype(at::kLong)) >= 2).unsqueeze(0);
  const auto preset = models::parse_preset(
      R"({"name": "mlp-2x400", "layers": [{"type": "linear", "out_features": 400}, {"type": "relu"},
          {"type": "linear", "out_features": 400}, {"type": "relu"}]})");
  auto model = models::build_network(preset, kPixels, kClasses);
  model->to(device);
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-3).betas({0.9, 0.999}));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  for (auto _ : state) {
    const at::Tensor pos = at::randint(kTaskImages, {kBatch}, gen, at::kLong)
                               .to(at::TensorOptions().device(device), /*non_blocking=*/true);
    const at::Tensor x = images.index_select(0, rows.index_select(0, pos));
    const at::Tensor y = targets.index_select(0, pos);
    if (upto == Upto::kGather) {
      benchmark::DoNotOptimize(x.data_ptr());
      continue;
    }
    if (upto >= Upto::kBackward)
      adam.zero_grad();
    const at::Tensor logits = model->forward(x);
    const at::Tensor loss = at::nll_loss(at::log_softmax(logits.masked_fill(inactive, -1e9), 1), y);
    if (upto >= Upto::kBackward)
      loss.backward();
    if (upto == Upto::kStep)
      adam.step();
    benchmark::DoNotOptimize(loss.data_ptr());
  }
  sync(device);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(train::device_name(device));
}

void Gather(benchmark::State& s) {
  iteration(s, Upto::kGather);
}
void Forward(benchmark::State& s) {
  iteration(s, Upto::kForward);
}
void Backward(benchmark::State& s) {
  iteration(s, Upto::kBackward);
}
void Step(benchmark::State& s) {
  iteration(s, Upto::kStep);
}

BENCHMARK(Gather)->Unit(benchmark::kMicrosecond);
BENCHMARK(Forward)->Unit(benchmark::kMicrosecond);
BENCHMARK(Backward)->Unit(benchmark::kMicrosecond);
BENCHMARK(Step)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
