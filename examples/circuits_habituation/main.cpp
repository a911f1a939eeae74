// Short-term plasticity, habituation and sensitization, at full size: paired-pulse ratio curves of
// a depressing and a facilitating Tsodyks-Markram synapse, and the Aplysia gill-withdrawal
// circuit's habituation criteria (decrement, spontaneous recovery, faster re-habituation,
// frequency dependence), dishabituation and the time course of sensitization. Prints the
// signature numbers and writes CSV rows (panel, series, x, y); plot with
// /usr/bin/python3 scripts/plot_circuits.py <csv> <png>.
#include <engram/io/atomic_file.h>
#include <engram/layers/synapse/tsodyks_markram_synapse.h>
#include <engram/models/circuits/gill_withdrawal_circuit.h>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace syn = engram::layers::synapse;
namespace circuits = engram::models::circuits;

namespace {

std::ostringstream csv;
void row(const char* panel, const std::string& series, double x, double y) {
  csv << panel << ',' << series << ',' << x << ',' << y << '\n';
}
int64_t trials_to(const std::vector<double>& r, double criterion) {
  for (size_t k = 0; k < r.size(); ++k)
    if (r[k] < criterion)
      return static_cast<int64_t>(k) + 1;
  return static_cast<int64_t>(r.size()) + 1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tsodyks-Markram paired-pulse curves and the Aplysia gill-withdrawal circuit"};
  std::string out = "circuits_habituation.csv";
  int64_t touches = 15;
  double rest = 900;
  app.add_option("csv", out, "output CSV");
  app.add_option("--touches", touches, "touches per habituation series")
      ->check(CLI::Range(3, 1000));
  app.add_option("--rest", rest, "rest between the two series (s)")->check(CLI::Range(1.0, 1e6));
  CLI11_PARSE(app, argc, argv);
  csv << "panel,series,x,y\n";

  // Paired-pulse ratios (ms).
  syn::TsodyksMarkramSynapse depressing(
      syn::TsodyksMarkramSynapseOptions(1).utilisation(0.5).tau_recovery(800).tau_facilitation(10));
  syn::TsodyksMarkramSynapse facilitating(
      syn::TsodyksMarkramSynapseOptions(1).utilisation(0.05).tau_recovery(100).tau_facilitation(
          1000));
  std::printf("paired-pulse ratio   interval(ms)  depressing  facilitating\n");
  for (double interval : {10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0}) {
    const double d = depressing->paired_pulse_ratio(interval)[0].item<double>();
    const double f = facilitating->paired_pulse_ratio(interval)[0].item<double>();
    row("paired-pulse ratio vs interval (ms; log10)", "depressing U=0.5 tau_rec=800",
        std::log10(interval), d);
    row("paired-pulse ratio vs interval (ms; log10)", "facilitating U=0.05 tau_f=1000",
        std::log10(interval), f);
    std::printf("                     %12.0f  %10.3f  %12.3f\n", interval, d, f);
  }

  // Habituation, spontaneous recovery and a second series.
  {
    circuits::GillWithdrawalCircuit aplysia;
    const auto first = aplysia->series(0, touches, 10, 0);
    const auto second = aplysia->series(0, touches, 10, rest);
    for (int64_t k = 0; k < touches; ++k) {
      row("habituation: two series (10 s ISI) with a rest", "first series", k + 1,
          first[static_cast<size_t>(k)]);
      row("habituation: two series (10 s ISI) with a rest", "second series", k + 1,
          second[static_cast<size_t>(k)]);
    }
    std::printf("habituation: first series %.3f -> %.3f; after %.0f s rest %.3f (spontaneous "
                "recovery %.0f%% of the decrement); trials to 50%%: %lld then %lld; second series "
                "ends at %.3f\n",
                first.front(), first.back(), rest, second.front(),
                100 * (second.front() - first.back()) / (first.front() - first.back()),
                static_cast<long long>(trials_to(first, 0.5 * first.front())),
                static_cast<long long>(trials_to(second, 0.5 * first.front())), second.back());
  }
  // Frequency dependence.
  std::printf("frequency: response on touch %lld / first, by ISI:",
              static_cast<long long>(touches));
  for (double isi : {2.0, 5.0, 10.0, 30.0, 60.0}) {
    circuits::GillWithdrawalCircuit aplysia;
    const auto r = aplysia->series(0, touches, isi, 0);
    for (int64_t k = 0; k < touches; ++k)
      row("habituation by stimulus interval", "ISI " + std::to_string(static_cast<int>(isi)) + " s",
          k + 1, r[static_cast<size_t>(k)] / r.front());
    std::printf("  %.0f s: %.3f", isi, r.back() / r.front());
  }
  std::printf("\n");
  // Dishabituation: a tail shock after the series.
  {
    circuits::GillWithdrawalCircuit shocked, control;
    const auto r = shocked->series(0, touches, 10, 0);
    control->series(0, touches, 10, 0);
    shocked->shock(1.0, 5);
    std::vector<double> a, b;
    for (int k = 0; k < 5; ++k) {
      a.push_back(shocked->touch(0, k == 0 ? 5 : 10));
      b.push_back(control->touch(0, 10));
      row("dishabituation: tail shock after the series", "shock", touches + k + 1, a.back());
      row("dishabituation: tail shock after the series", "no shock", touches + k + 1, b.back());
    }
    for (int64_t k = 0; k < touches; ++k) {
      row("dishabituation: tail shock after the series", "shock", k + 1, r[static_cast<size_t>(k)]);
      row("dishabituation: tail shock after the series", "no shock", k + 1,
          r[static_cast<size_t>(k)]);
    }
    std::printf("dishabituation: last habituated %.3f; first touch after shock %.3f vs %.3f "
                "without\n",
                r.back(), a.front(), b.front());
  }
  // Sensitization of the unhabituated mantle pathway.
  {
    circuits::GillWithdrawalCircuit aplysia;
    const double baseline = aplysia->probe(1);
    aplysia->shock(1.0, 0);
    std::printf("sensitization (mantle / baseline):");
    double t = 0;
    for (double next : {10.0, 60.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0}) {
      aplysia->rest(next - t);
      t = next;
      const double ratio = aplysia->probe(1) / baseline;
      row("sensitization: mantle response vs minutes after a tail shock", "response / baseline",
          next / 60.0, ratio);
      std::printf("  %.0f min %.2f", next / 60.0, ratio);
    }
    std::printf("\n");
  }
  engram::io::write_file_atomically(out, csv.str());
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
