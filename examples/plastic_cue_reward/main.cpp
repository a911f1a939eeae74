// Cue-reward association with neuromodulation (Backpropamine-style): a PlasticRNN with retroactive
// modulation (its own learned modulator head, m_t = tanh(w_m . h_t + b_m)) learns, within each
// episode, which cue pays. Prints the mean reward per trial over training, with retroactive
// modulation and with plain (unmodulated) Hebbian plasticity.
//
//   plastic_cue_reward_demo [iterations=1000] [hidden=32] [cues=4] [trials=20] [batch=32]
//       [alpha_percent=10] [eta_percent=50] [lr_micro=3000] [given_m=0] [threads=0] [seed=0]
//       [only=-1]
// given_m=1 feeds the outcome as the modulator (at the feedback steps, 0 elsewhere) instead of the
// learned modulator head; only=0/1/2 runs a single variant (none/simple/retroactive).
#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/layers/plastic/tasks/cue_reward.h>

#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

using namespace engram::layers;

namespace {

using Args = std::map<std::string, int64_t>;

// Returns the mean reward per trial over the last 10% of training (the second half of episodes).
double train(Neuromodulation modulation, const tasks::CueRewardOptions& task, const Args& a) {
  torch::manual_seed(static_cast<uint64_t>(a.at("seed")));
  const auto hidden = a.at("hidden");
  const auto iterations = a.at("iterations");
  PlasticRNN net(PlasticRNNOptions(tasks::cue_reward_input_size(task), hidden)
                     .modulation(modulation)
                     .alpha_init(0.01 * static_cast<double>(a.at("alpha_percent")))
                     .eta(0.01 * static_cast<double>(a.at("eta_percent")))
                     .clip(modulation == Neuromodulation::kNone ? 0.0 : 2.0));
  torch::nn::Linear decide(hidden, 1);
  auto params = net->parameters();
  for (const auto& p : decide->parameters()) {
    params.push_back(p);
  }
  torch::optim::Adam opt(params, torch::optim::AdamOptions(1e-6 * a.at("lr_micro")));
  const bool given = a.at("given_m") != 0 && modulation != Neuromodulation::kNone;
  double late = 0;
  int64_t counted = 0;
  double block = 0;
  for (int64_t i = 1; i <= iterations; ++i) {
    const auto b = tasks::make_cue_reward_batch(task, a.at("batch"));
    std::optional<torch::Tensor> m;
    if (given) {
      m = b.inputs.select(2, task.cues).contiguous();
    }
    const auto logits = decide(net->forward(b.inputs, std::nullopt, m).outputs).squeeze(2);
    const auto reward = tasks::expected_reward(logits, b); // [trials, B]
    opt.zero_grad();
    (-reward.mean()).backward();
    opt.step();
    const double second_half =
        reward.narrow(0, task.trials / 2, task.trials - task.trials / 2).mean().item<double>();
    block += second_half;
    if (i % std::max<int64_t>(1, iterations / 10) == 0) {
      std::printf("  %-11s iteration %5lld: reward per trial (second half of episodes) %+.3f, "
                  "eta %.3f, |alpha| %.3f\n",
                  to_string(modulation).c_str(), static_cast<long long>(i),
                  block / static_cast<double>(std::max<int64_t>(1, iterations / 10)),
                  net->eta.item<double>(), net->alpha.abs().mean().item<double>());
      block = 0;
    }
    if (i > iterations - iterations / 10) {
      late += second_half;
      ++counted;
    }
  }
  return late / static_cast<double>(std::max<int64_t>(1, counted));
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  Args args{{"iterations", 1000}, {"hidden", 32},        {"cues", 4},         {"trials", 20},
            {"batch", 32},        {"alpha_percent", 10}, {"eta_percent", 50}, {"lr_micro", 3000},
            {"given_m", 0},       {"threads", 0},        {"seed", 0},         {"only", -1}};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (eq == std::string::npos || args.count(a.substr(0, eq)) == 0) {
      std::fprintf(stderr, "unknown argument '%s' (expected name=value)\n", a.c_str());
      return 2;
    }
    args[a.substr(0, eq)] = std::stoll(a.substr(eq + 1));
  }
  if (args["threads"] > 0) {
    torch::set_num_threads(static_cast<int>(args["threads"]));
  }
  tasks::CueRewardOptions task;
  task.cues = args["cues"];
  task.trials = args["trials"];
  std::printf("cue-reward association: %lld cues, %lld trials per episode; best possible reward "
              "per trial %.3f, abstaining 0\n",
              static_cast<long long>(task.cues), static_cast<long long>(task.trials),
              1.0 / static_cast<double>(task.cues));
  std::map<Neuromodulation, double> final_reward;
  for (const auto v :
       {Neuromodulation::kNone, Neuromodulation::kSimple, Neuromodulation::kRetroactive}) {
    if (args["only"] >= 0 && static_cast<int64_t>(v) != args["only"]) {
      continue;
    }
    if (args["only"] < 0 && v == Neuromodulation::kSimple) {
      continue;
    }
    final_reward[v] = train(v, task, args);
  }
  for (const auto& [v, r] : final_reward) {
    std::printf("final reward per trial (second half of episodes, last 10%% of training): %-11s "
                "%+.3f\n",
                to_string(v).c_str(), r);
  }
  return 0;
}
