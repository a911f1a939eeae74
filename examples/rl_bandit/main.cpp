// Regret on a drifting 10-armed bandit (Sutton & Barto Exercise 2.5 with N(0,1) initial means):
// epsilon-greedy with sample averages, epsilon-greedy with a constant step, and the delta-driven
// actor-critic (gradient bandit whose baseline is a critic learned from the same delta).
// Prints cumulative regret at checkpoints and writes the mean curves as CSV.
//   example_rl_bandit [out.csv] [runs] [steps] [drift_std] [alpha_actor] [alpha_critic]
#include <engram/io/atomic_file.h>
#include <engram/rl/agents/epsilon_greedy_bandit.h>
#include <engram/rl/agents/tabular_actor_critic.h>
#include <engram/rl/environments/bandit.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace engram::rl;

int main(int argc, char** argv) {
  CLI::App app{"Regret on a drifting 10-armed bandit: epsilon-greedy vs delta-driven actor-critic"};
  std::string out = "rl_bandit.csv";
  int runs = 200, steps = 10000;
  double drift = 0.01, alpha_actor = 0.1, alpha_critic = 0.1;
  app.add_option("csv", out, "output CSV");
  app.add_option("runs", runs, "independent runs")->check(CLI::PositiveNumber);
  app.add_option("steps", steps, "steps per run")->check(CLI::PositiveNumber);
  app.add_option("drift_std", drift, "std of the arms' random-walk drift")
      ->check(CLI::NonNegativeNumber);
  app.add_option("alpha_actor", alpha_actor, "actor step size")->check(CLI::PositiveNumber);
  app.add_option("alpha_critic", alpha_critic, "critic step size")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const char* names[] = {"epsilon_greedy_sample_average", "epsilon_greedy_constant_step",
                         "delta_driven_actor_critic"};
  std::vector<std::vector<double>> regret(3, std::vector<double>(steps, 0.0));
  std::vector<double> optimal(3, 0.0);
  for (int run = 0; run < runs; ++run) {
    for (int learner = 0; learner < 3; ++learner) {
      Bandit env(BanditOptions{10, 1.0, 1.0, drift, 0}, 1000 + run); // same bandit for all three
      env.reset();
      EpsilonGreedyBandit eg({10, 0.1, learner == 1 ? 0.1 : 0.0, 0.0, 77ULL + run});
      TabularActorCritic ac(TabularActorCriticOptions(1, 10)
                                .alpha_critic(alpha_critic)
                                .alpha_actor(alpha_actor)
                                .gamma(0.0)
                                .seed(77 + run));
      double cumulative = 0;
      for (int t = 0; t < steps; ++t) {
        const int64_t a = learner == 2 ? ac.select_action(0) : eg.select_action();
        cumulative += env.optimal_mean() - env.means()[a];
        if (t >= steps / 2)
          optimal[learner] += a == env.optimal_arm();
        const StepResult r = env.step(a);
        if (learner == 2) {
          ac.update(0, a, r.reward, 0, true);
        } else {
          eg.update(a, r.reward);
        }
        regret[learner][t] += cumulative / runs;
      }
    }
  }
  std::printf("drifting bandit: 10 arms, drift_std %.3f, %d runs x %d steps\n", drift, runs, steps);
  std::printf("%-32s %12s %12s %12s %18s\n", "learner", "regret@1k", "regret@half", "regret@end",
              "%optimal(2nd half)");
  for (int l = 0; l < 3; ++l) {
    std::printf("%-32s %12.1f %12.1f %12.1f %17.1f%%\n", names[l], regret[l][999],
                regret[l][steps / 2 - 1], regret[l][steps - 1],
                100.0 * optimal[l] / (runs * (steps - steps / 2)));
  }
  std::ostringstream csv_text; // written durably and atomically once complete
  {
    std::ostream& csv = csv_text;
    csv << "step," << names[0] << ',' << names[1] << ',' << names[2] << '\n';
    for (int t = 0; t < steps; t += (t < 100 ? 1 : 10)) {
      csv << t + 1 << ',' << regret[0][t] << ',' << regret[1][t] << ',' << regret[2][t] << '\n';
    }
  }
  engram::io::write_file_atomically(out, csv_text.str());
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
