// Sutton & Barto (2nd ed.) 19-state random walk, full size: RMS error over the first 10 episodes,
// averaged over 100 runs, against alpha for lambda in {0, .4, .8, .9, .95, .975, .99, 1}, for
// TD(lambda) with accumulating traces (Figure 12.6), true online TD(lambda) (Figure 12.8), and
// TD(lambda) with replacing and dutch traces. Prints the best alpha per lambda and writes the
// curves as CSV.
//   example_rl_random_walk [out.csv] [runs]
#include <engram/io/atomic_file.h>

#include <rl_random_walk/random_walk_experiment.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace engram::rl;

int main(int argc, char** argv) {
  CLI::App app{"Sutton & Barto 19-state random walk: RMS error vs alpha per lambda"};
  std::string out = "rl_random_walk.csv";
  int64_t runs = 100;
  app.add_option("csv", out, "output CSV");
  app.add_option("runs", runs, "independent runs")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const std::vector<double> lambdas{0.0, 0.4, 0.8, 0.9, 0.95, 0.975, 0.99, 1.0};
  std::vector<double> alphas;
  for (int i = 1; i <= 20; ++i)
    alphas.push_back(0.05 * i);
  for (const double a : {0.002, 0.005, 0.01, 0.02, 0.03, 0.04})
    alphas.insert(alphas.begin(), a);
  std::sort(alphas.begin(), alphas.end());

  struct Variant {
    const char* name;
    TDAlgorithm algorithm;
    TraceKind trace;
  };
  const std::vector<Variant> variants{
      {"td_lambda_accumulating", TDAlgorithm::kTdLambda, TraceKind::kAccumulating},
      {"td_lambda_replacing", TDAlgorithm::kTdLambda, TraceKind::kReplacing},
      {"td_lambda_dutch", TDAlgorithm::kTdLambda, TraceKind::kDutch},
      {"true_online_td_lambda", TDAlgorithm::kTrueOnlineTdLambda, TraceKind::kDutch}};

  std::ostringstream csv_text; // written durably and atomically once complete
  std::ostream& csv = csv_text;
  csv << "algorithm,lambda,alpha,rms_error\n";
  for (const auto& v : variants) {
    std::printf("\n%s (19 states, %lld runs, first 10 episodes)\n", v.name,
                static_cast<long long>(runs));
    std::printf("  lambda  best_alpha  min_rms  rms@alpha=.002  rms@alpha=1\n");
    for (const double lambda : lambdas) {
      RandomWalkExperiment ex;
      ex.runs = runs;
      ex.algorithm = v.algorithm;
      ex.trace = v.trace;
      double best = 1e9, best_alpha = 0, first = 0, last = 0;
      for (const double alpha : alphas) {
        const double rms = random_walk_rms_error(ex, lambda, alpha);
        csv << v.name << ',' << lambda << ',' << alpha << ',' << rms << '\n';
        if (rms < best) {
          best = rms;
          best_alpha = alpha;
        }
        if (alpha == alphas.front())
          first = rms;
        last = rms;
      }
      std::printf("  %6.3f  %10.2f  %7.4f  %14.4f  %11.4f\n", lambda, best_alpha, best, first,
                  last);
    }
  }
  engram::io::write_file_atomically(out, csv_text.str());
  std::printf("\nwrote %s\n", out.c_str());
  return 0;
}
