// Cue-reward association with neuromodulation (Backpropamine-style): a PlasticRNN with retroactive
// modulation (its own learned modulator head, m_t = tanh(w_m . h_t + b_m)) learns, within each
// episode, which cue pays. Prints the mean reward per trial over training, with retroactive
// modulation and with plain (unmodulated) Hebbian plasticity.
//
//   example_plastic_cue_reward [--iterations 1000] [--hidden 32] [--cues 4] [--trials 20]
//       [--batch 32] [--alpha 0.1] [--eta 0.5] [--lr 3e-3] [--given-m] [--threads 0] [--seed 0]
//       [--only both|none|simple|retroactive] [--device cpu|cuda|cuda:N|auto]
//       (--help describes every option)
#include <common/device_option.h>

#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/tasks/cue_reward.h>

#include <CLI/CLI.hpp>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

using namespace engram::layers;
namespace tasks = engram::tasks;

namespace {

struct Settings {
  int64_t iterations;
  int64_t hidden;
  int64_t batch;
  double alpha;
  double eta;
  double lr;
  bool given_m;
  int64_t seed;
  c10::Device device = c10::Device(c10::kCPU);
};

// Returns the mean reward per trial over the last 10% of training (the second half of episodes).
double train(Modulation modulation, const tasks::CueRewardOptions& task, const Settings& a) {
  torch::manual_seed(static_cast<uint64_t>(a.seed));
  const auto hidden = a.hidden;
  const auto iterations = a.iterations;
  PlasticRNN net(PlasticRNNOptions(tasks::cue_reward_input_size(task), hidden)
                     .modulation(modulation)
                     .alpha_init(a.alpha)
                     .eta(a.eta)
                     .clip(modulation == Modulation::kNone ? 0.0 : 2.0));
  torch::nn::Linear decide(hidden, 1);
  net->to(a.device);
  decide->to(a.device);
  auto params = net->parameters();
  for (const auto& p : decide->parameters()) {
    params.push_back(p);
  }
  torch::optim::Adam opt(params, torch::optim::AdamOptions(a.lr));
  const bool given = a.given_m && modulation != Modulation::kNone;
  // Rewards summed on the device: read back only where progress is printed.
  const auto sum_options = torch::TensorOptions().dtype(torch::kDouble).device(a.device);
  torch::Tensor late = torch::zeros({}, sum_options);
  int64_t counted = 0;
  torch::Tensor block = torch::zeros({}, sum_options);
  for (int64_t i = 1; i <= iterations; ++i) {
    // Episodes drawn on the CPU (the same ones on every device), sent to the device.
    auto b = tasks::make_cue_reward_batch(task, a.batch);
    b.inputs = b.inputs.to(a.device);
    b.outcomes = b.outcomes.to(a.device);
    std::optional<torch::Tensor> m;
    if (given) {
      m = b.inputs.select(2, task.cues).contiguous();
    }
    const auto logits = decide(net->forward(b.inputs, std::nullopt, m).outputs).squeeze(2);
    const auto reward = tasks::expected_reward(logits, b); // [trials, B]
    opt.zero_grad();
    (-reward.mean()).backward();
    opt.step();
    const torch::Tensor second_half = reward.detach()
                                          .narrow(0, task.trials / 2, task.trials - task.trials / 2)
                                          .mean()
                                          .to(torch::kDouble);
    block += second_half;
    if (i % std::max<int64_t>(1, iterations / 10) == 0) {
      std::printf("  %-11s iteration %5lld: reward per trial (second half of episodes) %+.3f, "
                  "eta %.3f, |alpha| %.3f\n",
                  to_string(modulation).c_str(), static_cast<long long>(i),
                  block.item<double>() / static_cast<double>(std::max<int64_t>(1, iterations / 10)),
                  net->eta.item<double>(), net->alpha.abs().mean().item<double>());
      block.zero_();
    }
    if (i > iterations - iterations / 10) {
      late += second_half;
      ++counted;
    }
  }
  return late.item<double>() / static_cast<double>(std::max<int64_t>(1, counted));
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  CLI::App app{"Cue-reward association: a PlasticRNN with a learned neuromodulator vs "
               "unmodulated Hebbian plasticity"};
  Settings set{1000, 32, 32, 0.1, 0.5, 3e-3, false, 0, c10::Device(c10::kCPU)};
  int64_t cues = 4;
  int64_t trials = 20;
  int threads = 0;
  std::string only = "both";
  app.add_option("--iterations", set.iterations, "training updates")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--hidden", set.hidden, "recurrent units")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--cues", cues, "cues per episode (one of them pays)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--trials", trials, "trials per episode")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--batch", set.batch, "episodes per update")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--alpha", set.alpha, "initial plasticity coefficient")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--eta", set.eta, "initial (learned) Hebbian rate")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--lr", set.lr, "Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--given-m", set.given_m,
               "the outcome itself as modulator (at the feedback steps, 0 elsewhere) instead of "
               "the learned modulator head");
  app.add_option("--only", only, "variants to run: none and retroactive, or a single one")
      ->check(CLI::IsMember({"both", "none", "simple", "retroactive"}))
      ->capture_default_str();
  app.add_option("--seed", set.seed, "seed")->capture_default_str();
  app.add_option("--threads", threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  std::string device_name = "cpu";
  engram::examples::add_device_option(app, device_name);
  CLI11_PARSE(app, argc, argv);
  set.device = engram::examples::device_or_exit(device_name);
  if (threads > 0) {
    torch::set_num_threads(threads);
  }
  tasks::CueRewardOptions task;
  task.cues = cues;
  task.trials = trials;
  std::printf("cue-reward association: %lld cues, %lld trials per episode; best possible reward "
              "per trial %.3f, abstaining 0\n",
              static_cast<long long>(task.cues), static_cast<long long>(task.trials),
              1.0 / static_cast<double>(task.cues));
  std::map<Modulation, double> final_reward;
  for (const auto v : {Modulation::kNone, Modulation::kSimple, Modulation::kRetroactive}) {
    if (only == "both" ? v == Modulation::kSimple : to_string(v) != only) {
      continue;
    }
    final_reward[v] = train(v, task, set);
  }
  for (const auto& [v, r] : final_reward) {
    std::printf("final reward per trial (second half of episodes, last 10%% of training): %-11s "
                "%+.3f\n",
                to_string(v).c_str(), r);
  }
  return 0;
}
