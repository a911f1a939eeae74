// CartPole-v1 solved by the neural actor-critic (CleanRL's PPO configuration): trains until the
// mean return of 100 consecutive episodes reaches 475, within a budget of 500k env steps, and
// reports env-steps/s and time-to-solve. Writes the episode returns as CSV.
//   example_rl_cartpole [out.csv] [seed] [total_steps] [--no-stop]
// --no-stop trains for exactly total_steps (for timing at a fixed amount of work).
#include <engram/io/atomic_file.h>
#include <engram/rl/agents/neural_actor_critic.h>
#include <engram/rl/environments/cart_pole.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace engram::rl;

int main(int argc, char** argv) {
  CLI::App app{"CartPole-v1 solved by the neural actor-critic (CleanRL PPO configuration)"};
  std::string out = "rl_cartpole.csv";
  uint64_t seed = 1;
  int64_t total = 500000;
  bool no_stop = false;
  app.add_option("csv", out, "output CSV of episode returns");
  app.add_option("seed", seed, "seed");
  app.add_option("total_steps", total, "env-step budget")->check(CLI::PositiveNumber);
  app.add_flag("--no-stop", no_stop, "train for exactly total_steps (timing at fixed work)");
  CLI11_PARSE(app, argc, argv);
  const bool stop = !no_stop;
  NeuralActorCritic agent(
      NeuralActorCriticOptions().seed(seed).total_steps(total).stop_when_solved(stop),
      [](uint64_t s) { return std::make_unique<CartPole>(CartPoleOptions{500}, s); });
  const auto r = agent.train();
  std::printf("CartPole-v1 neural actor-critic (PPO-clip, 4 envs x 128 steps), seed %llu\n",
              static_cast<unsigned long long>(seed));
  std::printf("{\"impl\": \"engram\", \"seed\": %llu, \"env_steps\": %lld, \"seconds\": %.3f, "
              "\"env_steps_per_second\": %.1f, \"solved_at_step\": %lld, \"solved_at_seconds\": "
              "%.3f}\n",
              static_cast<unsigned long long>(seed), static_cast<long long>(r.env_steps), r.seconds,
              r.env_steps_per_second, static_cast<long long>(r.solved_at_step),
              r.solved_at_seconds);
  std::printf("episodes %zu, env steps %lld, %.2f s, %.0f env-steps/s\n", r.episode_returns.size(),
              static_cast<long long>(r.env_steps), r.seconds, r.env_steps_per_second);
  if (r.solved_at_step >= 0) {
    std::printf("solved (mean return of 100 consecutive episodes >= 475) at env step %lld, "
                "%.2f s\n",
                static_cast<long long>(r.solved_at_step), r.solved_at_seconds);
  } else {
    std::printf("NOT solved within %lld env steps\n", static_cast<long long>(total));
  }
  std::ostringstream csv_text; // written durably and atomically once complete
  {
    std::ostream& csv = csv_text;
    csv << "episode,end_env_step,return\n";
    for (size_t e = 0; e < r.episode_returns.size(); ++e) {
      csv << e + 1 << ',' << r.episode_end_step[e] << ',' << r.episode_returns[e] << '\n';
    }
  }
  engram::io::write_file_atomically(out, csv_text.str());
  return r.solved_at_step >= 0 || !stop ? 0 : 1;
}
