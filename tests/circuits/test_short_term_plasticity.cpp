// Short-term plasticity: the Tsodyks-Markram synapse (paired-pulse depression and facilitation,
// gradients against finite differences in float64, the module contract) and the Aplysia
// gill-withdrawal circuit (the habituation criteria of Thompson & Spencer 1966 / Rankin et al.
// 2009, dishabituation and sensitization).
#include <engram/layers/synapse/tsodyks_markram_synapse.h>
#include <engram/models/circuits/gill_withdrawal_circuit.h>
#include <support/error_message.h>
#include <support/module_contract.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace syn = engram::layers::synapse;
namespace circuits = engram::models::circuits;

namespace {

syn::TsodyksMarkramSynapse depressing() {
  return syn::TsodyksMarkramSynapse(
      syn::TsodyksMarkramSynapseOptions(1).utilisation(0.5).tau_recovery(800).tau_facilitation(10));
}
syn::TsodyksMarkramSynapse facilitating() {
  return syn::TsodyksMarkramSynapse(
      syn::TsodyksMarkramSynapseOptions(1).utilisation(0.05).tau_recovery(100).tau_facilitation(
          1000));
}

TEST(TsodyksMarkramSynapse, PairedPulseDepressionRecoversWithInterval) {
  auto s = depressing();
  double previous = 0;
  for (double interval : {20.0, 100.0, 400.0, 1000.0, 3000.0}) {
    const double ppr = s->paired_pulse_ratio(interval)[0].item<double>();
    EXPECT_GT(ppr, previous);
    previous = ppr;
  }
  EXPECT_LT(s->paired_pulse_ratio(20)[0].item<double>(), 0.6);
  EXPECT_GT(s->paired_pulse_ratio(5000)[0].item<double>(), 0.99);
}

TEST(TsodyksMarkramSynapse, PairedPulseFacilitationDecaysWithInterval) {
  auto s = facilitating();
  const double short_ppr = s->paired_pulse_ratio(20)[0].item<double>();
  EXPECT_GT(short_ppr, 1.5);
  EXPECT_LT(s->paired_pulse_ratio(500)[0].item<double>(), short_ppr);
  EXPECT_NEAR(s->paired_pulse_ratio(20000)[0].item<double>(), 1.0, 0.01);
}

TEST(TsodyksMarkramSynapse, TrainsDepressAndFacilitate) {
  auto d = depressing(), f = facilitating();
  d->reset_state(1);
  f->reset_state(1);
  const at::Tensor train = torch::ones({8, 1, 1});
  const at::Tensor rd = d(train, 25.0).flatten(), rf = f(train, 25.0).flatten();
  EXPECT_LT(rd[7].item<double>(), 0.3 * rd[0].item<double>());
  EXPECT_GT(rf[7].item<double>(), 2.0 * rf[0].item<double>());
  // The state carries over between calls: a second train right after starts depressed.
  EXPECT_LT(d(train, 25.0).flatten()[0].item<double>(), rd[0].item<double>());
}

TEST(TsodyksMarkramSynapse, GradientsMatchFiniteDifferencesInFloat64) {
  torch::manual_seed(3);
  syn::TsodyksMarkramSynapse s(
      syn::TsodyksMarkramSynapseOptions(3).utilisation(0.3).tau_recovery(50).tau_facilitation(30));
  s->to(torch::kDouble);
  at::Tensor spikes = torch::rand({6, 2, 3}, torch::kDouble).requires_grad_(true);
  const at::Tensor weights = torch::randn({6, 2, 3}, torch::kDouble);
  auto loss = [&]() {
    s->reset_state(2);
    return (s(spikes, 7.0) * weights).sum();
  };
  loss().backward();
  std::vector<at::Tensor> inputs{spikes};
  for (const auto& p : s->parameters())
    inputs.push_back(p);
  const double eps = 1e-6;
  for (auto& t : inputs) {
    ASSERT_TRUE(t.grad().defined());
    const at::Tensor analytic = t.grad().clone();
    at::Tensor flat = t.detach().view(-1);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double orig = flat[i].item<double>();
      flat[i] = orig + eps;
      const double up = loss().item<double>();
      flat[i] = orig - eps;
      const double down = loss().item<double>();
      flat[i] = orig;
      EXPECT_NEAR(analytic.view(-1)[i].item<double>(), (up - down) / (2 * eps), 1e-6)
          << "element " << i;
    }
  }
}

TEST(TsodyksMarkramSynapse, OptionRangesAndContract) {
  using O = syn::TsodyksMarkramSynapseOptions;
  EXPECT_ERROR_MENTIONS(syn::TsodyksMarkramSynapse(O(0)), "size");
  EXPECT_ERROR_MENTIONS(syn::TsodyksMarkramSynapse(O(1).utilisation(1)), "utilisation");
  EXPECT_ERROR_MENTIONS(syn::TsodyksMarkramSynapse(O(1).tau_recovery(0)), "tau_recovery");
  EXPECT_ERROR_MENTIONS(syn::TsodyksMarkramSynapse(O(1).tau_facilitation(-1)), "tau_facilitation");
  EXPECT_ERROR_MENTIONS(syn::TsodyksMarkramSynapse(O(1).amplitude(0)), "amplitude");
  syn::TsodyksMarkramSynapse s(O(2));
  EXPECT_ERROR_MENTIONS(s(torch::ones({3, 1, 2}), 1.0), "reset_state");
  s->reset_state(1);
  EXPECT_ERROR_MENTIONS(s(torch::ones({3, 1, 3}), 1.0), "spikes");
  EXPECT_ERROR_MENTIONS(s(torch::ones({3, 1, 2}), 0.0), "dt");
  EXPECT_ERROR_MENTIONS(s->step(torch::ones({1, 2}), -1.0), "elapsed");
  s(torch::ones({3, 1, 2}), 5.0);
  auto copy = engram::testing::expect_deep_clone(s, "TsodyksMarkramSynapse");
  syn::TsodyksMarkramSynapse fresh(O(2));
  engram::testing::expect_save_load(s, fresh, "TsodyksMarkramSynapse");
  EXPECT_TRUE(fresh(torch::ones({2, 1, 2}), 5.0).equal(s(torch::ones({2, 1, 2}), 5.0)));
  s->to(torch::kDouble);
  engram::testing::expect_moved_to(*s, torch::kDouble, "TsodyksMarkramSynapse");
  syn::TsodyksMarkramSynapse fixed(O(2).learnable(false));
  EXPECT_EQ(fixed->parameters().size(), 0u);
}

// --- Aplysia ----------------------------------------------------------------------------------
constexpr int64_t kSiphon = 0, kMantle = 1;

// Trials until the response falls below `criterion`, the first trial counting 1 (count + 1 when
// it never does).
int64_t trials_to(const std::vector<double>& r, double criterion) {
  for (size_t k = 0; k < r.size(); ++k)
    if (r[k] < criterion)
      return static_cast<int64_t>(k) + 1;
  return static_cast<int64_t>(r.size()) + 1;
}

TEST(GillWithdrawal, DecrementSpontaneousRecoveryAndFasterRehabituation) {
  circuits::GillWithdrawalCircuit aplysia;
  const auto first = aplysia->series(kSiphon, 15, /*interval=*/10, /*after=*/0);
  for (size_t k = 1; k < first.size(); ++k)
    EXPECT_LT(first[k], first[k - 1]); // response decrement with repetition
  EXPECT_LT(first.back(), 0.4 * first.front());
  const auto second = aplysia->series(kSiphon, 15, 10, /*after=*/900); // 15 min rest
  // Spontaneous recovery: most of the decrement is gone, but not all (the slow process).
  EXPECT_GT(second.front(), first.back() + 0.5 * (first.front() - first.back()));
  EXPECT_LT(second.front(), 0.95 * first.front());
  // Potentiation of habituation: the second series reaches the criterion sooner and goes deeper.
  const double criterion = 0.5 * first.front();
  std::printf("trials to 50%%: first series %lld, second %lld\n",
              static_cast<long long>(trials_to(first, criterion)),
              static_cast<long long>(trials_to(second, criterion)));
  EXPECT_LT(trials_to(second, criterion), trials_to(first, criterion));
  EXPECT_LT(second.back(), first.back());
}

TEST(GillWithdrawal, HigherFrequencyHabituatesMore) {
  std::vector<double> relative;
  for (double interval : {2.0, 10.0, 30.0, 60.0}) {
    circuits::GillWithdrawalCircuit aplysia;
    const auto r = aplysia->series(kSiphon, 15, interval, 0);
    relative.push_back(r.back() / r.front());
  }
  for (size_t k = 1; k < relative.size(); ++k)
    EXPECT_GT(relative[k], relative[k - 1]);
  EXPECT_LT(relative.front(), 0.5 * relative.back());
}

TEST(GillWithdrawal, DishabituationByATailShock) {
  circuits::GillWithdrawalCircuit aplysia;
  const auto r = aplysia->series(kSiphon, 15, 10, 0);
  aplysia->shock(/*strength=*/1.0, /*after=*/5);
  const double after_shock = aplysia->touch(kSiphon, 5);
  circuits::GillWithdrawalCircuit control; // the same series, no shock
  control->series(kSiphon, 15, 10, 0);
  const double no_shock = control->touch(kSiphon, 10);
  EXPECT_GT(after_shock, 1.5 * no_shock);
  EXPECT_GT(after_shock, 1.5 * r.back());
}

TEST(GillWithdrawal, SensitizationGrowsThenFades) {
  circuits::GillWithdrawalCircuit aplysia;
  const double baseline = aplysia->probe(kMantle);
  aplysia->shock(1.0, 0);
  aplysia->rest(10);
  const double soon = aplysia->probe(kMantle);
  aplysia->rest(1800);
  const double later = aplysia->probe(kMantle);
  aplysia->rest(5400);
  const double much_later = aplysia->probe(kMantle);
  EXPECT_GT(soon, 2.0 * baseline);
  EXPECT_LT(later, soon);
  EXPECT_NEAR(much_later, baseline, 0.01 * baseline);
  // The unstimulated pathway was not habituated: sensitization, not recovery.
  EXPECT_DOUBLE_EQ(aplysia->capacity()[kMantle].item<double>(), 1.0);
}

TEST(GillWithdrawal, OptionRangesAndContract) {
  using O = circuits::GillWithdrawalCircuitOptions;
  EXPECT_ERROR_MENTIONS(circuits::GillWithdrawalCircuit(O().pathways(0)), "pathways");
  EXPECT_ERROR_MENTIONS(circuits::GillWithdrawalCircuit(O().utilisation(0)), "utilisation");
  EXPECT_ERROR_MENTIONS(circuits::GillWithdrawalCircuit(O().depletion(1)), "depletion");
  EXPECT_ERROR_MENTIONS(circuits::GillWithdrawalCircuit(O().tau_capacity(50)), "tau_capacity");
  EXPECT_ERROR_MENTIONS(circuits::GillWithdrawalCircuit(O().tau_modulator(0)), "tau_modulator");
  EXPECT_ERROR_MENTIONS(circuits::GillWithdrawalCircuit(O().modulation(-1)), "modulation");
  circuits::GillWithdrawalCircuit aplysia;
  EXPECT_ERROR_MENTIONS(aplysia->touch(2, 0), "pathway");
  EXPECT_ERROR_MENTIONS(aplysia->touch(0, -1), "after");
  EXPECT_ERROR_MENTIONS(aplysia->shock(0, 0), "strength");
  aplysia->series(kSiphon, 5, 10, 0);
  aplysia->shock(1, 1);
  auto copy = engram::testing::expect_deep_clone(aplysia, "GillWithdrawalCircuit");
  EXPECT_DOUBLE_EQ(copy->touch(kSiphon, 3), aplysia->touch(kSiphon, 3));
  circuits::GillWithdrawalCircuit fresh;
  engram::testing::expect_save_load(aplysia, fresh, "GillWithdrawalCircuit");
  EXPECT_DOUBLE_EQ(fresh->touch(kMantle, 3), aplysia->touch(kMantle, 3));
}

} // namespace
