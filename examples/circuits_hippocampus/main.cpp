// The hippocampal formation at full size: the DG's pattern separation curve, CA3's pattern
// completion curve, and the capacity for correlated patterns with and without the DG, over
// --seeds seeds (mean +- sd), with the cause measured: how correlated the CA3 codes that storage
// assigns are. Prints the numbers and writes CSV rows (panel, series, x, y); plot with
// /usr/bin/python3 scripts/plot_circuits.py <csv> <png>.
#include <engram/io/atomic_file.h>
#include <engram/models/circuits/hippocampal_formation.h>
#include <engram/models/circuits/sparse_patterns.h>
#include <engram/train/seed_summary.h>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace circuits = engram::models::circuits;
using circuits::HippocampalFormation;
using circuits::HippocampalFormationOptions;

namespace {

std::ostringstream csv;
void row(const char* panel, const std::string& series, double x, double y) {
  csv << panel << ',' << series << ',' << x << ',' << y << '\n';
}
at::Generator seeded(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}
// Mean and sample sd over seeds, as the study tables compute them (train/seed_summary.h).
double mean(const std::vector<double>& v) {
  return engram::train::seed_stats(v).mean;
}
double sd(const std::vector<double>& v) {
  return engram::train::seed_stats(v).sd;
}
// Mean overlap between the codes of different patterns [P, N] (0/1).
double mean_pairwise_overlap(const at::Tensor& codes) {
  const at::Tensor c = codes.to(at::kFloat);
  const at::Tensor shared = at::mm(c, c.t()) / c.sum(1, true);
  const int64_t p = c.size(0);
  return (shared.sum().item<double>() - shared.diagonal().sum().item<double>()) /
         static_cast<double>(p * (p - 1));
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hippocampal formation: pattern separation, completion, capacity with/without DG"};
  std::string out = "circuits_hippocampus.csv";
  int64_t ec = 200, ca3 = 800, seeds = 5, prototypes = 10;
  double keep = 0.6, cue = 0.7;
  app.add_option("csv", out, "output CSV");
  app.add_option("--ec", ec, "EC units (10% active)")->check(CLI::Range(20, 5000));
  app.add_option("--ca3", ca3, "CA3 cells (5% active)")->check(CLI::Range(40, 20000));
  app.add_option("--seeds", seeds, "seeds of the capacity measurement")->check(CLI::Range(1, 100));
  app.add_option("--prototypes", prototypes, "prototypes of the correlated patterns")
      ->check(CLI::Range(1, 1000));
  app.add_option("--keep", keep, "share of a prototype's active units each pattern keeps")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--cue", cue, "cue fraction of the capacity test")->check(CLI::Range(0.05, 1.0));
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(1);
  csv << "panel,series,x,y\n";
  const int64_t active = ec / 10;

  // Pattern separation.
  {
    torch::manual_seed(1);
    HippocampalFormation hc(HippocampalFormationOptions(ec, ca3));
    auto gen = seeded(2);
    const at::Tensor a = circuits::random_sparse_patterns(200, ec, active, gen);
    const at::Tensor dg_a = hc->dentate_gyrus(a), ca3_a = hc->encode(a);
    std::printf("pattern separation (DG %lld cells, %lld active):\n  EC overlap   DG overlap   "
                "CA3 overlap (storage code)\n",
                static_cast<long long>(hc->dg_size()),
                static_cast<long long>(dg_a[0].sum().item<int64_t>()));
    for (int k = 0; k <= 10; ++k) {
      const at::Tensor b = circuits::pattern_variants(a, k / 10.0, gen);
      const double in = circuits::pattern_overlap(a, b).mean().item<double>();
      const double dg = circuits::pattern_overlap(dg_a, hc->dentate_gyrus(b)).mean().item<double>();
      const double c3 = circuits::pattern_overlap(ca3_a, hc->encode(b)).mean().item<double>();
      row("pattern separation: output vs input overlap", "DG", in, dg);
      row("pattern separation: output vs input overlap", "CA3 (via mossy fibres)", in, c3);
      row("pattern separation: output vs input overlap", "identity", in, in);
      std::printf("  %10.2f   %10.3f   %10.3f\n", in, dg, c3);
    }
  }
  // Pattern completion.
  {
    torch::manual_seed(3);
    HippocampalFormation hc(HippocampalFormationOptions(ec, ca3));
    auto gen = seeded(4);
    const at::Tensor x = circuits::random_sparse_patterns(50, ec, active, gen);
    const at::Tensor stored = hc->store(x);
    std::printf("pattern completion (50 stored):\n  cue   CA3 recall   CA1/EC recall\n");
    for (int k = 1; k <= 20; ++k) {
      const double f = k / 20.0;
      const auto r = hc->recall(circuits::partial_cues(x, f, gen));
      const double q3 = circuits::pattern_overlap(stored, r.ca3).mean().item<double>();
      const double qe = circuits::pattern_overlap(x, r.ec).mean().item<double>();
      row("pattern completion: recall vs cue fraction", "CA3", f, q3);
      row("pattern completion: recall vs cue fraction", "CA1 output (EC space)", f, qe);
      row("pattern completion: recall vs cue fraction", "cue itself", f, f);
      std::printf("  %.2f   %10.3f   %13.3f\n", f, q3, qe);
    }
  }
  // Capacity for correlated patterns, with and without the DG.
  const std::vector<int64_t> loads{10, 25, 50, 75, 100, 150, 200, 300};
  std::printf("capacity for correlated patterns (%lld prototypes, keep "
              "%.2f), cue %.2f, %lld seeds: EC recall mean +- sd\n  patterns   with DG          "
              "without DG       CA3 code overlap with / without\n",
              static_cast<long long>(prototypes), keep, cue, static_cast<long long>(seeds));
  std::vector<std::vector<double>> capacity(2);
  std::vector<std::vector<std::vector<double>>> quality(
      2, std::vector<std::vector<double>>(loads.size()));
  std::vector<std::vector<std::vector<double>>> code_overlap = quality;
  for (int64_t s = 0; s < seeds; ++s) {
    for (int dg = 0; dg < 2; ++dg) {
      int64_t cap = 0;
      for (size_t l = 0; l < loads.size(); ++l) {
        torch::manual_seed(100 + static_cast<uint64_t>(s));
        HippocampalFormation hc(HippocampalFormationOptions(ec, ca3).dentate_gyrus(dg == 0));
        auto gen = seeded(200 + static_cast<uint64_t>(s));
        const at::Tensor x =
            circuits::correlated_patterns(loads[l], prototypes, ec, active, keep, gen);
        const at::Tensor codes = hc->store(x);
        const double q =
            circuits::pattern_overlap(x, hc->recall(circuits::partial_cues(x, cue, gen)).ec)
                .mean()
                .item<double>();
        quality[static_cast<size_t>(dg)][l].push_back(q);
        code_overlap[static_cast<size_t>(dg)][l].push_back(mean_pairwise_overlap(codes));
        if (q >= 0.9 && cap == static_cast<int64_t>(l))
          cap = static_cast<int64_t>(l) + 1;
      }
      capacity[static_cast<size_t>(dg)].push_back(cap == 0 ? 0.0
                                                           : static_cast<double>(loads[cap - 1]));
    }
  }
  for (size_t l = 0; l < loads.size(); ++l) {
    const auto& w = quality[0][l];
    const auto& wo = quality[1][l];
    row("capacity: EC recall vs patterns stored (correlated)", "with DG",
        static_cast<double>(loads[l]), mean(w));
    row("capacity: EC recall vs patterns stored (correlated)", "without DG",
        static_cast<double>(loads[l]), mean(wo));
    std::printf("  %8lld   %.3f +- %.3f    %.3f +- %.3f    %.3f / %.3f\n",
                static_cast<long long>(loads[l]), mean(w), sd(w), mean(wo), sd(wo),
                mean(code_overlap[0][l]), mean(code_overlap[1][l]));
  }
  std::printf("capacity (largest load, from the grid, with every smaller one at EC recall >= "
              "0.9): with DG %.1f +- %.1f, without DG %.1f +- %.1f patterns\n",
              mean(capacity[0]), sd(capacity[0]), mean(capacity[1]), sd(capacity[1]));
  engram::io::write_file_atomically(out, csv.str());
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
