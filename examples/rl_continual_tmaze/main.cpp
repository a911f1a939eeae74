// Continual RL on a T-maze whose rewarded arm switches every 50 episodes: a neuromodulated plastic
// actor-critic (slow weights + fast three-factor weights of a PlasticLinear gated by delta) against
// the same network without the plastic pathway. Prints episodes and env steps to recover after each
// switch (5 consecutive rewarded episodes), averaged over switches and seeds; writes per-episode
// success rates as CSV.
//   example_rl_continual_tmaze [out.csv] [seeds] [blocks] [episodes_per_block]
#include <engram/io/atomic_file.h>

#include <rl_continual_tmaze/t_maze_continual_experiment.h>

#include <CLI/CLI.hpp>

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace engram::rl;

int main(int argc, char** argv) {
  CLI::App app{"Continual T-maze: neuromodulated plastic actor-critic vs the same network without"};
  std::string out = "rl_continual_tmaze.csv";
  int seeds = 10;
  TMazeContinualExperiment ex;
  ex.blocks = 20;
  ex.episodes_per_block = 50;
  app.add_option("csv", out, "output CSV");
  app.add_option("seeds", seeds, "independent seeds")->check(CLI::PositiveNumber);
  app.add_option("blocks", ex.blocks, "blocks (one reward side each)")->check(CLI::PositiveNumber);
  app.add_option("episodes_per_block", ex.episodes_per_block, "episodes between switches")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(1);
  struct Variant {
    const char* name;
    bool plastic;
    double learning_rate;
  };
  const std::vector<Variant> variants{
      {"plastic (three-factor, eta=10) + slow Adam 0.01", true, 0.01},
      {"non-plastic, slow Adam 0.01", false, 0.01},
      {"non-plastic, Adam 0.1", false, 0.1}};
  const int64_t episodes = ex.blocks * ex.episodes_per_block;
  std::vector<std::vector<double>> success(variants.size(), std::vector<double>(episodes, 0.0));
  std::printf("T-maze (corridor %lld), reward side switches every %lld episodes, %lld blocks, %d "
              "seeds\n",
              static_cast<long long>(ex.corridor_length),
              static_cast<long long>(ex.episodes_per_block), static_cast<long long>(ex.blocks),
              seeds);
  std::printf("%-50s %18s %16s %12s\n", "agent", "episodes-to-recover", "steps-to-recover",
              "censored");
  for (size_t v = 0; v < variants.size(); ++v) {
    double ep = 0, st = 0, ep_sq = 0;
    int64_t n = 0, censored = 0;
    for (int seed = 0; seed < seeds; ++seed) {
      ex.seed = 100 + seed;
      const auto r = run_t_maze_continual(ex, NeuromodulatedActorCriticOptions(1, 3)
                                                  .plastic(variants[v].plastic)
                                                  .learning_rate(variants[v].learning_rate));
      for (size_t k = 0; k < r.episodes_to_recover.size(); ++k) {
        ep += r.episodes_to_recover[k];
        ep_sq += static_cast<double>(r.episodes_to_recover[k]) * r.episodes_to_recover[k];
        st += r.steps_to_recover[k];
        censored += r.episodes_to_recover[k] >= ex.episodes_per_block;
        ++n;
      }
      for (int64_t e = 0; e < episodes; ++e)
        success[v][e] += r.rewarded[e] ? 1.0 / seeds : 0.0;
    }
    const double mean = ep / n;
    const double sem = std::sqrt(std::max(ep_sq / n - mean * mean, 0.0) / n);
    std::printf("%-50s %12.2f +- %4.2f %16.1f %8lld/%lld\n", variants[v].name, mean, sem, st / n,
                static_cast<long long>(censored), static_cast<long long>(n));
  }
  std::ostringstream csv_text; // written durably and atomically once complete
  {
    std::ostream& csv = csv_text;
    csv << "episode";
    for (const auto& v : variants)
      csv << ",\"" << v.name << '"';
    csv << '\n';
    for (int64_t e = 0; e < episodes; ++e) {
      csv << e + 1;
      for (size_t v = 0; v < variants.size(); ++v)
        csv << ',' << success[v][e];
      csv << '\n';
    }
  }
  engram::io::write_file_atomically(out, csv_text.str());
  std::printf("wrote %s (fraction of seeds entering the rewarded arm, per episode)\n", out.c_str());
  return 0;
}
