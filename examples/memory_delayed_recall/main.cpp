// Delayed recall (copy) at full size: a sequence of symbols must be reproduced after a delay.
// Trains GatedWorkingMemory and a vanilla tanh RNN of the same hidden size side by side and
// prints their accuracy on fresh sequences.
//   memory_delayed_recall_example [--length 5] [--delay 50] [--alphabet 8] [--hidden 64]
//                                 [--iterations 2000] [--batch 64] [--lr 3e-3]
//                                 [--forget_bias 4] [--distractors 0] [--seed 1]
#include <engram/layers/memory/gated_working_memory.h>
#include <engram/layers/memory/memory_tasks.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/optim/adam.h>

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

at::Tensor masked_loss(const at::Tensor& logits, const tasks::SequenceBatch& b) {
  const at::Tensor losses = at::cross_entropy_loss(
      logits.reshape({-1, logits.size(-1)}), b.targets.reshape({-1}), {}, at::Reduction::None);
  const at::Tensor mask = b.mask.reshape({-1}).to(at::kFloat);
  return (losses * mask).sum() / mask.sum();
}

double accuracy(const at::Tensor& logits, const tasks::SequenceBatch& b) {
  return logits.argmax(-1).eq(b.targets).masked_select(b.mask).to(at::kFloat).mean().item<double>();
}

} // namespace

int main(int argc, char** argv) {
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

  auto run = [&](const std::string& name, torch::nn::Module& core,
                 const std::function<at::Tensor(const at::Tensor&)>& features, double lr) {
    torch::manual_seed(static_cast<uint64_t>(args["seed"]));
    torch::nn::Linear head(hidden, alphabet);
    std::vector<at::Tensor> params = core.parameters();
    for (const auto& p : head->parameters())
      params.push_back(p);
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(lr));
    const auto start = std::chrono::steady_clock::now();
    for (int it = 1; it <= iterations; ++it) {
      const auto b = make_batch(batch);
      const at::Tensor logits = head(features(b.inputs));
      const at::Tensor loss = masked_loss(logits, b);
      optimizer.zero_grad();
      loss.backward();
      for (auto& p : params)
        p.grad().clamp_(-1.0, 1.0);
      optimizer.step();
      if (it % std::max(1, iterations / 10) == 0) {
        std::cout << name << " iteration " << it << " loss " << loss.item<double>()
                  << " batch accuracy " << accuracy(logits, b) << std::endl;
      }
    }
    at::NoGradGuard no_grad;
    const auto b = make_batch(2048);
    const double acc = accuracy(head(features(b.inputs)), b);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << name << ": accuracy " << acc << " on 2048 fresh sequences (" << seconds << " s)\n";
    return acc;
  };

  torch::manual_seed(static_cast<uint64_t>(args["seed"]));
  em::GatedWorkingMemory memory(
      em::GatedWorkingMemoryOptions(channels, hidden).forget_bias(args["forget_bias"]));
  const double gated = run(
      "GatedWorkingMemory", *memory,
      [&](const at::Tensor& x) { return std::get<0>(memory->forward(x)); }, args["lr"]);
  torch::manual_seed(static_cast<uint64_t>(args["seed"]));
  torch::nn::RNN rnn(torch::nn::RNNOptions(channels, hidden).nonlinearity(torch::kTanh));
  const double vanilla = run(
      "tanh RNN", *rnn, [&](const at::Tensor& x) { return std::get<0>(rnn->forward(x)); },
      args["lr"]);
  std::cout << "delayed recall: length " << length << ", delay " << delay << ", alphabet "
            << alphabet << ", distractors " << distractors << ", hidden " << hidden << ", chance "
            << 1.0 / alphabet << " | GatedWorkingMemory " << gated << " | tanh RNN " << vanilla
            << "\n";
  return 0;
}
