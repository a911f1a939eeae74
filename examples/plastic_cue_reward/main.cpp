// Cue-reward association with neuromodulation (Backpropamine-style): a PlasticRNN with retroactive
// modulation learns, within each episode, which cue pays. Prints the mean reward per trial over
// training, with retroactive modulation and with plain (unmodulated) Hebbian plasticity.
//
//   plastic_cue_reward_demo [iterations=600] [hidden=32] [cues=4] [trials=20] [batch=32]
#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/layers/plastic/tasks/cue_reward.h>

#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <string>

using namespace engram::layers;

namespace {

// Returns the mean reward per trial over the last 10% of training (the second half of episodes).
double train(Neuromodulation modulation, const tasks::CueRewardOptions& task, int64_t hidden,
             int64_t iterations, int64_t batch, int64_t alpha_percent) {
  torch::manual_seed(0);
  PlasticRNN net(PlasticRNNOptions(tasks::cue_reward_input_size(task), hidden)
                     .modulation(modulation)
                     .alpha_init(0.01 * static_cast<double>(alpha_percent))
                     .eta(0.1)
                     .clip(modulation == Neuromodulation::kNone ? 0.0 : 2.0));
  torch::nn::Linear decide(hidden, 1);
  auto params = net->parameters();
  for (const auto& p : decide->parameters()) {
    params.push_back(p);
  }
  torch::optim::Adam opt(params, torch::optim::AdamOptions(3e-3));
  double late = 0;
  int64_t counted = 0;
  double block = 0;
  for (int64_t i = 1; i <= iterations; ++i) {
    const auto b = tasks::make_cue_reward_batch(task, batch);
    const auto logits = decide(net(b.inputs).outputs).squeeze(2);
    const auto reward = tasks::expected_reward(logits, b); // [trials, B]
    opt.zero_grad();
    (-reward.mean()).backward();
    opt.step();
    const double second_half =
        reward.narrow(0, task.trials / 2, task.trials - task.trials / 2).mean().item<double>();
    block += second_half;
    if (i % std::max<int64_t>(1, iterations / 10) == 0) {
      std::printf("  %-11s iteration %5lld: reward per trial (second half of episodes) %+.3f\n",
                  to_string(modulation).c_str(), static_cast<long long>(i),
                  block / static_cast<double>(std::max<int64_t>(1, iterations / 10)));
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
  std::map<std::string, int64_t> args{{"iterations", 600}, {"hidden", 32}, {"cues", 4},
                                      {"trials", 20},      {"batch", 32},  {"alpha_percent", 10}};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      args[a.substr(0, eq)] = std::stoll(a.substr(eq + 1));
    }
  }
  tasks::CueRewardOptions task;
  task.cues = args["cues"];
  task.trials = args["trials"];
  std::printf("cue-reward association: %lld cues, %lld trials per episode; best possible reward "
              "per trial %.3f, abstaining 0\n",
              static_cast<long long>(task.cues), static_cast<long long>(task.trials),
              1.0 / static_cast<double>(task.cues));
  const double retro = train(Neuromodulation::kRetroactive, task, args["hidden"],
                             args["iterations"], args["batch"], args["alpha_percent"]);
  const double none = train(Neuromodulation::kNone, task, args["hidden"], args["iterations"],
                            args["batch"], args["alpha_percent"]);
  std::printf("final reward per trial: retroactive modulation %+.3f, no modulation %+.3f\n", retro,
              none);
  return 0;
}
