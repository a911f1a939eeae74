// Conditioning beyond TD(0), at full size: Rescorla-Wagner acquisition and extinction, Kamin
// blocking, overshadowing and conditioned inhibition; the TD model's second-order conditioning
// (and Rescorla-Wagner's opposite prediction); the amygdala-like fear circuit's renewal of
// extinguished fear (ABA and ABC). Prints the signature numbers and writes CSV rows
// (panel, series, x, y); plot with /usr/bin/python3 scripts/plot_circuits.py <csv> <png>.
#include <engram/io/atomic_file.h>
#include <engram/models/circuits/fear_circuit.h>
#include <engram/models/circuits/rescorla_wagner.h>
#include <engram/models/circuits/td_conditioning.h>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <sstream>
#include <string>

namespace circuits = engram::models::circuits;

namespace {

std::ostringstream csv;
void row(const char* panel, const char* series, double x, double y) {
  csv << panel << ',' << series << ',' << x << ',' << y << '\n';
}
at::Tensor cues(std::vector<double> x) {
  return torch::tensor(x, torch::kDouble);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Rescorla-Wagner, the TD model and the fear circuit: classic conditioning effects"};
  std::string out = "circuits_conditioning.csv";
  int64_t trials = 40;
  double beta = 0.2;
  app.add_option("csv", out, "output CSV");
  app.add_option("--trials", trials, "trials per phase")->check(CLI::Range(5, 100000));
  app.add_option("--beta", beta, "Rescorla-Wagner learning rate")->check(CLI::Range(1e-3, 1.0));
  CLI11_PARSE(app, argc, argv);
  csv << "panel,series,x,y\n";
  const at::Tensor a = cues({1, 0, 0}), b = cues({0, 1, 0}), ab = cues({1, 1, 0}),
                   ax = cues({1, 0, 1}), x = cues({0, 0, 1});

  // Rescorla-Wagner: acquisition A+ then extinction A-.
  {
    circuits::RescorlaWagner rw(circuits::RescorlaWagnerOptions(3).beta(beta));
    for (int64_t k = 0; k < 2 * trials; ++k) {
      rw->trial(a, k < trials ? 1.0 : 0.0);
      row("RW acquisition / extinction", "V(A)", k + 1, rw->predict(a).item<double>());
    }
    std::printf("Rescorla-Wagner  V(A) after %lld A+ trials then %lld A- trials: %.3f\n",
                static_cast<long long>(trials), static_cast<long long>(trials),
                rw->predict(a).item<double>());
  }
  // Blocking: A+ then AB+ against AB+ alone.
  {
    circuits::RescorlaWagner blocked(circuits::RescorlaWagnerOptions(3).beta(beta));
    circuits::RescorlaWagner control(circuits::RescorlaWagnerOptions(3).beta(beta));
    for (int64_t k = 0; k < trials; ++k)
      blocked->trial(a, 1.0);
    for (int64_t k = 0; k < trials; ++k) {
      blocked->trial(ab, 1.0);
      control->trial(ab, 1.0);
      row("RW blocking (phase 2: AB+)", "V(B) after A+ pretraining", k + 1,
          blocked->predict(b).item<double>());
      row("RW blocking (phase 2: AB+)", "V(B) control (no pretraining)", k + 1,
          control->predict(b).item<double>());
    }
    std::printf("Kamin blocking   V(B): blocked %.3f, control %.3f\n",
                blocked->predict(b).item<double>(), control->predict(b).item<double>());
  }
  // Overshadowing: salience A = 1, B = 0.3.
  {
    const std::vector<double> s{1.0, 0.3, 1.0};
    circuits::RescorlaWagner compound(circuits::RescorlaWagnerOptions(3).beta(beta).salience(s));
    circuits::RescorlaWagner alone(circuits::RescorlaWagnerOptions(3).beta(beta).salience(s));
    for (int64_t k = 0; k < 2 * trials; ++k) {
      compound->trial(ab, 1.0);
      alone->trial(b, 1.0);
      row("RW overshadowing (salience A 1 / B 0.3)", "V(B) in AB+", k + 1,
          compound->predict(b).item<double>());
      row("RW overshadowing (salience A 1 / B 0.3)", "V(A) in AB+", k + 1,
          compound->predict(a).item<double>());
      row("RW overshadowing (salience A 1 / B 0.3)", "V(B) in B+ alone", k + 1,
          alone->predict(b).item<double>());
    }
    std::printf("overshadowing    V(B) in AB+ %.3f, V(A) in AB+ %.3f, V(B) alone %.3f\n",
                compound->predict(b).item<double>(), compound->predict(a).item<double>(),
                alone->predict(b).item<double>());
  }
  // Conditioned inhibition: A+ / AX- interleaved; then X- alone (the rule's false prediction).
  {
    circuits::RescorlaWagner rw(circuits::RescorlaWagnerOptions(3).beta(beta));
    for (int64_t k = 0; k < 2 * trials; ++k) {
      rw->trial(a, 1.0);
      rw->trial(ax, 0.0);
      row("RW conditioned inhibition", "V(X) A+ / AX-", k + 1, rw->predict(x).item<double>());
    }
    const double inhibitor = rw->predict(x).item<double>();
    for (int64_t k = 0; k < 2 * trials; ++k) {
      rw->trial(x, 0.0);
      row("RW conditioned inhibition", "V(X) then X- alone", 2 * trials + k + 1,
          rw->predict(x).item<double>());
    }
    std::printf("cond. inhibition V(X) %.3f; after X- alone %.3f (the rule erases inhibitors; "
                "animals keep them)\n",
                inhibitor, rw->predict(x).item<double>());
  }
  // Second-order conditioning: TD against Rescorla-Wagner on A+ then B->A (no US).
  {
    const int64_t len = 20;
    circuits::TDConditioning td(circuits::TDConditioningOptions(2, len));
    circuits::RescorlaWagner rw(circuits::RescorlaWagnerOptions(3).beta(beta));
    at::Tensor a_cues = torch::zeros({len, 2}, torch::kDouble),
               us = torch::zeros({len}, torch::kDouble);
    a_cues.slice(0, 10, 15).select(1, 0).fill_(1);
    us[15] = 1;
    at::Tensor b_then_a = a_cues.clone(), b_alone = torch::zeros({len, 2}, torch::kDouble);
    b_then_a.slice(0, 5, 10).select(1, 1).fill_(1);
    b_alone.slice(0, 5, 10).select(1, 1).fill_(1);
    for (int64_t k = 0; k < 100; ++k)
      td->trial(a_cues, us);
    for (int64_t k = 0; k < trials; ++k)
      rw->trial(a, 1.0);
    double peak = 0;
    int64_t peak_trial = 0;
    for (int64_t k = 0; k < trials; ++k) {
      td->trial(b_then_a, torch::zeros({len}, torch::kDouble));
      rw->trial(ab, 0.0);
      const double v_b = td->values(b_alone)[5].item<double>();
      if (v_b > peak) {
        peak = v_b;
        peak_trial = k + 1;
      }
      row("second-order conditioning (B->A; no US)", "TD: V(B)", k + 1, v_b);
      row("second-order conditioning (B->A; no US)", "TD: V(A)", k + 1,
          td->values(a_cues)[10].item<double>());
      row("second-order conditioning (B->A; no US)", "RW: V(B)", k + 1,
          rw->predict(b).item<double>());
    }
    std::printf("second-order     TD V(B) peaks at %.3f after %lld B->A trials; "
                "Rescorla-Wagner V(B) %.3f (an inhibitor)\n",
                peak, static_cast<long long>(peak_trial), rw->predict(b).item<double>());
  }
  // Fear: acquisition in A, extinction in B, tests in A, B and C.
  {
    circuits::FearCircuit fear(circuits::FearCircuitOptions(1, 3));
    const at::Tensor tone = cues({1}), ca = cues({1, 0, 0}), cb = cues({0, 1, 0}),
                     cc = cues({0, 0, 1});
    int64_t t = 0;
    for (int64_t k = 0; k < trials / 4; ++k)
      row("fear circuit: acquire in A; extinguish in B", "fear during training", ++t,
          fear->trial(tone, ca, 1.0));
    for (int64_t k = 0; k < trials; ++k)
      row("fear circuit: acquire in A; extinguish in B", "fear during training", ++t,
          fear->trial(tone, cb, 0.0));
    const double in_a = fear->fear(tone, ca), in_b = fear->fear(tone, cb),
                 in_c = fear->fear(tone, cc);
    row("fear circuit: acquire in A; extinguish in B", "test in A (ABA renewal)", t + 1, in_a);
    row("fear circuit: acquire in A; extinguish in B", "test in B", t + 1, in_b);
    row("fear circuit: acquire in A; extinguish in B", "test in C (ABC renewal)", t + 1, in_c);
    std::printf("fear renewal     test in B %.3f, in A %.3f (ABA), in C %.3f (ABC); CS-US "
                "association %.3f\n",
                in_b, in_a, in_c, fear->association()[0].item<double>());
  }
  engram::io::write_file_atomically(out, csv.str());
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
