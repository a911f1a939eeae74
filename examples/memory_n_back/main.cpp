// n-back at full size: a stream of one-hot symbols, and at every step t >= n the model must say
// whether the symbol equals the one n steps back. GatedWorkingMemory is trained against a
// feed-forward network that sees only the current symbol (chance: 50%).
//
//   example_memory_n_back [n=2] [steps=100] [iterations=1000] [alphabet=8] [hidden=64] [seed=1]
//       [--device cpu|cuda|cuda:N|auto]
#include <common/device_option.h>

#include <ATen/Parallel.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <engram/tasks/memory_tasks.h>
#include <engram/tasks/sequence_training.h>

#include <CLI/CLI.hpp>
#include <torch/nn/modules/linear.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace em = engram::layers::memory;
namespace tasks = engram::tasks;

namespace {

std::vector<at::Tensor> parameters_of(std::initializer_list<torch::nn::Module*> modules) {
  std::vector<at::Tensor> out;
  for (auto* m : modules) {
    for (const auto& p : m->parameters())
      out.push_back(p);
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  // Models this small gain nothing from intra-op threads, which thrash on a loaded machine.
  at::set_num_threads(1);
  CLI::App app{"n-back: GatedWorkingMemory vs a feed-forward network"};
  int64_t n = 2, steps = 100, iterations = 1000, alphabet = 8, hidden = 64;
  uint64_t seed = 1;
  app.add_option("n", n, "n of n-back")->check(CLI::PositiveNumber);
  app.add_option("steps", steps, "sequence length")->check(CLI::PositiveNumber);
  app.add_option("iterations", iterations, "training iterations")->check(CLI::PositiveNumber);
  app.add_option("alphabet", alphabet, "symbols")->check(CLI::PositiveNumber);
  app.add_option("hidden", hidden, "hidden units")->check(CLI::PositiveNumber);
  app.add_option("seed", seed, "seed");
  std::string device_name = "cpu";
  engram::examples::add_device_option(app, device_name);
  CLI11_PARSE(app, argc, argv);
  const c10::Device device = engram::examples::device_or_exit(device_name);
  // Sequences are drawn on the CPU (the same ones on every device) and sent to the device.
  const auto on_device = [&device](tasks::SequenceBatch b) {
    for (at::Tensor* t : {&b.inputs, &b.targets, &b.mask})
      *t = t->to(device);
    return b;
  };
  const tasks::SequenceTask task = [&](int64_t b) {
    return on_device(tasks::n_back(b, steps, alphabet, n));
  };
  tasks::SequenceTrainingOptions options;
  options.iterations = iterations;
  options.batch = 32;
  options.lr = 3e-3;
  options.eval_batch = 2048;
  options.log_every = std::max<int64_t>(1, iterations / 10);
  std::printf("%lld-back: streams of %lld symbols from %lld, hidden %lld, %lld Adam steps of "
              "batch 32, accuracy on 2048 fresh streams (chance 0.5)\n",
              static_cast<long long>(n), static_cast<long long>(steps),
              static_cast<long long>(alphabet), static_cast<long long>(hidden),
              static_cast<long long>(iterations));
  auto run = [&](const std::string& name, const tasks::SequenceModel& model,
                 const std::vector<at::Tensor>& params) {
    const auto start = std::chrono::steady_clock::now();
    const double accuracy = tasks::train_sequence_model(
        model, params, task, options, [&](int64_t it, double loss, double batch_accuracy) {
          std::printf("%s iteration %lld loss %.4f batch accuracy %.4f\n", name.c_str(),
                      static_cast<long long>(it), loss, batch_accuracy);
        });
    std::printf("%s: accuracy %.4f (%.1f s)\n", name.c_str(), accuracy,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return accuracy;
  };

  torch::manual_seed(seed);
  em::GatedWorkingMemory memory(em::GatedWorkingMemoryOptions(alphabet, hidden));
  torch::nn::Linear memory_head(hidden, 2);
  memory->to(device);
  memory_head->to(device);
  const double gated = run(
      "GatedWorkingMemory",
      [&](const at::Tensor& x) { return memory_head(std::get<0>(memory->forward(x))); },
      parameters_of({memory.get(), memory_head.get()}));

  torch::manual_seed(seed);
  torch::nn::Linear hidden_layer(alphabet, hidden), feed_forward_head(hidden, 2);
  hidden_layer->to(device);
  feed_forward_head->to(device);
  const double feed_forward = run(
      "feed-forward",
      [&](const at::Tensor& x) { return feed_forward_head(at::relu(hidden_layer(x))); },
      parameters_of({hidden_layer.get(), feed_forward_head.get()}));

  std::printf("%lld-back | GatedWorkingMemory %.4f | feed-forward %.4f | chance 0.5\n",
              static_cast<long long>(n), gated, feed_forward);
  return 0;
}
