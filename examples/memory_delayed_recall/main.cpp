// Delayed recall (copy) at full size: a sequence of symbols must be reproduced after a delay.
// Trains GatedWorkingMemory and a vanilla tanh RNN of the same hidden size side by side and
// prints their accuracy on fresh sequences.
//   memory_delayed_recall_example [--length 5] [--delay 50] [--alphabet 8] [--hidden 64]
//                                 [--iterations 2000] [--batch 64] [--lr 3e-3]
//                                 [--forget_bias 4] [--distractors 0] [--seed 1]
#include <ATen/Parallel.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <engram/layers/memory/memory_tasks.h>
#include <engram/layers/memory/sequence_training.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <string>

namespace em = engram::layers::memory;
namespace tasks = engram::layers::memory::tasks;

namespace {

std::map<std::string, double> parse(int argc, char** argv, std::map<std::string, double> args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key.rfind("--", 0) != 0 || args.count(key.substr(2)) == 0) {
      std::cerr << "unknown option " << key << "\n";
      std::exit(2);
    }
    args[key.substr(2)] = std::atof(argv[i + 1]);
  }
  return args;
}

} // namespace

int main(int argc, char** argv) {
  // Models this small gain nothing from intra-op threads, which thrash on a loaded machine.
  at::set_num_threads(1);
  auto args = parse(argc, argv,
                    {{"length", 5},
                     {"delay", 50},
                     {"alphabet", 8},
                     {"hidden", 64},
                     {"iterations", 2000},
                     {"seed", 1},
                     {"batch", 64},
                     {"lr", 3e-3},
                     {"forget_bias", 4.0},
                     {"distractors", 0}});
  const auto length = static_cast<int64_t>(args["length"]);
  const auto delay = static_cast<int64_t>(args["delay"]);
  const auto alphabet = static_cast<int64_t>(args["alphabet"]);
  const auto hidden = static_cast<int64_t>(args["hidden"]);
  const auto iterations = static_cast<int>(args["iterations"]);
  const auto batch = static_cast<int64_t>(args["batch"]);
  const auto distractors = static_cast<int64_t>(args["distractors"]);
  const int64_t channels = alphabet + 2 + distractors;
  auto make_batch = [&](int64_t b) {
    return tasks::delayed_copy(b, length, alphabet, delay, distractors);
  };

  tasks::SequenceTrainingOptions options;
  options.iterations = iterations;
  options.batch = batch;
  options.lr = args["lr"];
  options.eval_batch = 2048;
  options.log_every = std::max(1, iterations / 10);

  auto run = [&](const std::string& name, torch::nn::Module& core,
                 const std::function<at::Tensor(const at::Tensor&)>& features) {
    torch::manual_seed(static_cast<uint64_t>(args["seed"]));
    torch::nn::Linear head(hidden, alphabet);
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

  torch::manual_seed(static_cast<uint64_t>(args["seed"]));
  em::GatedWorkingMemory memory(
      em::GatedWorkingMemoryOptions(channels, hidden).forget_bias(args["forget_bias"]));
  const double gated = run("GatedWorkingMemory", *memory,
                           [&](const at::Tensor& x) { return std::get<0>(memory->forward(x)); });
  torch::manual_seed(static_cast<uint64_t>(args["seed"]));
  torch::nn::RNN rnn(torch::nn::RNNOptions(channels, hidden).nonlinearity(torch::kTanh));
  const double vanilla =
      run("tanh RNN", *rnn, [&](const at::Tensor& x) { return std::get<0>(rnn->forward(x)); });
  std::cout << "delayed recall: length " << length << ", delay " << delay << ", alphabet "
            << alphabet << ", distractors " << distractors << ", hidden " << hidden << ", chance "
            << 1.0 / alphabet << " | GatedWorkingMemory " << gated << " | tanh RNN " << vanilla
            << "\n";
  return 0;
}
