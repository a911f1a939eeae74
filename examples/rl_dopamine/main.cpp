// Schultz, Dayan & Montague (1997) at full size: a linear TD(0) learner with a complete serial
// compound watches cue -> reward trials. Its TD error delta, the model of phasic dopamine, is
// recorded at every time step of every trial: the burst moves from the reward to the cue over
// training, and probe trials with the reward omitted show the dip at the time it was due.
// Writes CSV rows (trial, probe, time, delta); plot with scripts/plot_rl.py dopamine.
#include <engram/io/atomic_file.h>

#include <rl_dopamine/conditioning_experiment.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace engram::rl;

int main(int argc, char** argv) {
  CLI::App app{"Schultz/Dayan/Montague dopamine experiment: TD error over time x trial"};
  std::string out = "rl_dopamine.csv";
  int64_t trials = 200;
  int64_t probe_every = 25;
  double alpha = 0.1;
  uint64_t seed = 1;
  app.add_option("csv", out, "output CSV");
  app.add_option("--trials", trials, "conditioning trials")->check(CLI::PositiveNumber);
  app.add_option("--probe-every", probe_every, "an omission probe after every N trials")
      ->check(CLI::PositiveNumber);
  app.add_option("--alpha", alpha, "TD step size")->check(CLI::Range(1e-6, 1.0));
  app.add_option("--seed", seed, "environment seed");
  CLI11_PARSE(app, argc, argv);

  PavlovianConditioningOptions o; // cue at t=5, reward at t=15, 25 steps per trial
  PavlovianConditioning env(o, seed);
  LinearTDLambda td(TDLambdaOptions(env.observation_space().size()).alpha(alpha).lambda(0.0));

  std::ostringstream csv_text; // written durably and atomically once complete
  {
    std::ostream& csv = csv_text;
    csv << "trial,probe,time,delta\n";
    auto write = [&](int64_t trial, bool probe, const std::vector<double>& delta) {
      for (size_t t = 1; t < delta.size(); ++t)
        csv << trial << ',' << (probe ? 1 : 0) << ',' << t << ',' << delta[t] << '\n';
    };
    std::printf("trial  delta(cue t=%lld)  delta(reward t=%lld)  | omission probe: delta(t=%lld)\n",
                static_cast<long long>(o.cue_time), static_cast<long long>(o.reward_time),
                static_cast<long long>(o.reward_time));
    for (int64_t k = 1; k <= trials; ++k) {
      const std::vector<double> delta = run_conditioning_trial(env, td);
      write(k, false, delta);
      if (k % probe_every == 0 || k == 1) {
        // The probe is a real trial (the learner updates on it) as in the recordings.
        env.omit_next_reward();
        const std::vector<double> probe = run_conditioning_trial(env, td);
        write(k, true, probe);
        std::printf("%5lld  %16.3f  %19.3f  | %+.3f\n", static_cast<long long>(k),
                    delta[o.cue_time], delta[o.reward_time], probe[o.reward_time]);
      }
    }
  }
  engram::io::write_file_atomically(out, csv_text.str());
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
