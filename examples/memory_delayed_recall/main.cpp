// Delayed recall (copy) at full size: a sequence of symbols must be reproduced after a delay.
// Trains GatedWorkingMemory and a vanilla tanh RNN of the same hidden size side by side and
// prints their accuracy on fresh sequences.
//   example_memory_delayed_recall [--length 5] [--delay 50] [--alphabet 8] [--hidden 64]
//                                 [--iterations 2000] [--batch 64] [--lr 3e-3]
//                                 [--forget_bias 4] [--distractors 0] [--seed 1]
//                                 [--device cpu|cuda|cuda:N|auto]
#include <common/device_option.h>

#include <ATen/Parallel.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <engram/tasks/memory_tasks.h>
#include <engram/tasks/sequence_training.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>

namespace em = engram::layers::memory;
namespace tasks = engram::tasks;

int main(int argc, char** argv) {
  // Models this small gain nothing from intra-op threads, which thrash on a loaded machine.
  at::set_num_threads(1);
  CLI::App app{"Delayed recall: GatedWorkingMemory vs a vanilla tanh RNN of the same size"};
  int64_t length = 5, delay = 50, alphabet = 8, hidden = 64, batch = 64, distractors = 0;
  int iterations = 2000;
  uint64_t seed = 1;
  double lr = 3e-3, forget_bias = 4.0;
  app.add_option("--length", length, "symbols to recall")->check(CLI::PositiveNumber);
  app.add_option("--delay", delay, "steps between the sequence and its recall")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--alphabet", alphabet, "symbols")->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden, "hidden units")->check(CLI::PositiveNumber);
  app.add_option("--iterations", iterations, "training iterations")->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "batch size")->check(CLI::PositiveNumber);
  app.add_option("--lr", lr, "Adam learning rate")->check(CLI::PositiveNumber);
  app.add_option("--forget_bias", forget_bias, "forget-gate bias initialisation");
  app.add_option("--distractors", distractors, "distractor symbols during the delay")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "seed");
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
  const int64_t channels = alphabet + 2 + distractors;
  auto make_batch = [&](int64_t b) {
    return on_device(tasks::delayed_copy(b, length, alphabet, delay, distractors));
  };

  tasks::SequenceTrainingOptions options;
  options.iterations = iterations;
  options.batch = batch;
  options.lr = lr;
  options.eval_batch = 2048;
  options.log_every = std::max(1, iterations / 10);

  auto run = [&](const std::string& name, torch::nn::Module& core,
                 const std::function<at::Tensor(const at::Tensor&)>& features) {
    torch::manual_seed(seed);
    torch::nn::Linear head(hidden, alphabet);
    core.to(device);
    head->to(device);
    std::vector<at::Tensor> params = core.parameters();
    for (const auto& p : head->parameters())
      params.push_back(p);
    const auto start = std::chrono::steady_clock::now();
    const double acc = tasks::train_sequence_model(
        [&](const at::Tensor& x) { return head(features(x)); }, params, make_batch, options,
        [&](int64_t it, double loss, double batch_accuracy) {
          std::cout << name << " iteration " << it << " loss " << loss << " batch accuracy "
                    << batch_accuracy << std::endl;
        });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << name << ": accuracy " << acc << " on 2048 fresh sequences (" << seconds << " s)\n";
    return acc;
  };

  torch::manual_seed(seed);
  em::GatedWorkingMemory memory(
      em::GatedWorkingMemoryOptions(channels, hidden).forget_bias(forget_bias));
  const double gated = run("GatedWorkingMemory", *memory,
                           [&](const at::Tensor& x) { return std::get<0>(memory->forward(x)); });
  torch::manual_seed(seed);
  torch::nn::RNN rnn(torch::nn::RNNOptions(channels, hidden).nonlinearity(torch::kTanh));
  const double vanilla =
      run("tanh RNN", *rnn, [&](const at::Tensor& x) { return std::get<0>(rnn->forward(x)); });
  std::cout << "delayed recall: length " << length << ", delay " << delay << ", alphabet "
            << alphabet << ", distractors " << distractors << ", hidden " << hidden << ", chance "
            << 1.0 / alphabet << " | GatedWorkingMemory " << gated << " | tanh RNN " << vanilla
            << "\n";
  return 0;
}
