// Conditioning beyond TD(0): Rescorla-Wagner and the TD model on compound stimuli (acquisition,
// extinction, blocking, overshadowing, conditioned inhibition, second-order conditioning), what
// Rescorla-Wagner cannot produce, and the fear circuit's renewal of extinguished fear.
#include <engram/models/circuits/fear_circuit.h>
#include <engram/models/circuits/rescorla_wagner.h>
#include <engram/models/circuits/td_conditioning.h>
#include <support/error_message.h>
#include <support/module_contract.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace circuits = engram::models::circuits;
using circuits::FearCircuit;
using circuits::FearCircuitOptions;
using circuits::RescorlaWagner;
using circuits::RescorlaWagnerOptions;
using circuits::TDConditioning;
using circuits::TDConditioningOptions;

namespace {

at::Tensor cues(std::vector<double> x) {
  return torch::tensor(x, torch::kDouble);
}

// --- Rescorla-Wagner --------------------------------------------------------------------------
const at::Tensor kA = cues({1, 0, 0}), kB = cues({0, 1, 0}), kX = cues({0, 0, 1});
const at::Tensor kAB = cues({1, 1, 0}), kAX = cues({1, 0, 1});

double strength(const RescorlaWagner& rw, const at::Tensor& x) {
  return rw->predict(x).item<double>();
}

TEST(RescorlaWagner, AcquisitionThenExtinction) {
  RescorlaWagner rw(RescorlaWagnerOptions(3).beta(0.2));
  double previous = 0;
  for (int k = 0; k < 30; ++k) {
    rw->trial(kA, 1.0);
    EXPECT_GT(strength(rw, kA), previous); // negatively accelerated, monotone acquisition
    previous = strength(rw, kA);
  }
  EXPECT_GT(strength(rw, kA), 0.99);
  for (int k = 0; k < 30; ++k)
    rw->trial(kA, 0.0);
  EXPECT_LT(strength(rw, kA), 0.01);
}

TEST(RescorlaWagner, KaminBlocking) {
  RescorlaWagner blocked(RescorlaWagnerOptions(3)), control(RescorlaWagnerOptions(3));
  for (int k = 0; k < 40; ++k)
    blocked->trial(kA, 1.0); // phase 1: A+
  for (int k = 0; k < 40; ++k) {
    blocked->trial(kAB, 1.0); // phase 2: AB+
    control->trial(kAB, 1.0);
  }
  EXPECT_LT(strength(blocked, kB), 0.01);
  EXPECT_GT(strength(control, kB), 0.45);
}

TEST(RescorlaWagner, OvershadowingByTheMoreSalientCue) {
  const std::vector<double> salience{1.0, 0.3, 1.0};
  RescorlaWagner compound(RescorlaWagnerOptions(3).salience(salience));
  RescorlaWagner alone(RescorlaWagnerOptions(3).salience(salience));
  for (int k = 0; k < 60; ++k) {
    compound->trial(kAB, 1.0);
    alone->trial(kB, 1.0);
  }
  EXPECT_LT(strength(compound, kB), 0.5 * strength(compound, kA));
  EXPECT_LT(strength(compound, kB), 0.3 * strength(alone, kB));
}

TEST(RescorlaWagner, ConditionedInhibition) {
  RescorlaWagner rw(RescorlaWagnerOptions(3));
  for (int k = 0; k < 100; ++k) {
    rw->trial(kA, 1.0);  // A+
    rw->trial(kAX, 0.0); // AX-
  }
  EXPECT_LT(strength(rw, kX), -0.8);                    // X predicts no US
  EXPECT_LT(strength(rw, kAX), 0.2 * strength(rw, kA)); // summation test
}

// Effects the rule cannot produce.
TEST(RescorlaWagner, NoLatentInhibition) {
  RescorlaWagner preexposed(RescorlaWagnerOptions(3)), naive(RescorlaWagnerOptions(3));
  for (int k = 0; k < 50; ++k)
    preexposed->trial(kA, 0.0); // A alone, no US: V stays 0
  for (int k = 0; k < 5; ++k) {
    preexposed->trial(kA, 1.0);
    naive->trial(kA, 1.0);
    EXPECT_DOUBLE_EQ(strength(preexposed, kA), strength(naive, kA));
  }
}

TEST(RescorlaWagner, NoSavingsAfterExtinction) {
  RescorlaWagner rw(RescorlaWagnerOptions(3));
  std::vector<double> first, second;
  for (int k = 0; k < 5; ++k)
    first.push_back((rw->trial(kA, 1.0), strength(rw, kA)));
  for (int k = 0; k < 60; ++k)
    rw->trial(kA, 0.0);
  for (int k = 0; k < 5; ++k)
    second.push_back((rw->trial(kA, 1.0), strength(rw, kA)));
  for (int k = 0; k < 5; ++k)
    EXPECT_LE(second[k], first[k] + 1e-3); // re-acquisition no faster than acquisition
}

TEST(RescorlaWagner, NoSecondOrderConditioningAndInhibitorsExtinguish) {
  RescorlaWagner rw(RescorlaWagnerOptions(3));
  for (int k = 0; k < 40; ++k)
    rw->trial(kA, 1.0);
  for (int k = 0; k < 10; ++k)
    rw->trial(kAB, 0.0);            // B paired with the trained A, no US
  EXPECT_LT(strength(rw, kB), 0.0); // B becomes an inhibitor, not a second-order excitor
  for (int k = 0; k < 60; ++k)
    rw->trial(kB, 0.0); // B alone: the rule erases the inhibitor (animals keep it)
  EXPECT_NEAR(strength(rw, kB), 0.0, 1e-3);
}

TEST(RescorlaWagner, OptionRangesAndContract) {
  EXPECT_ERROR_MENTIONS(RescorlaWagner(RescorlaWagnerOptions(0)), "num_cues");
  EXPECT_ERROR_MENTIONS(RescorlaWagner(RescorlaWagnerOptions(2).beta(0)), "beta");
  EXPECT_ERROR_MENTIONS(RescorlaWagner(RescorlaWagnerOptions(2).beta(1.5)), "beta");
  EXPECT_ERROR_MENTIONS(RescorlaWagner(RescorlaWagnerOptions(2).lambda(0)), "lambda");
  EXPECT_ERROR_MENTIONS(RescorlaWagner(RescorlaWagnerOptions(2).salience({1.0})), "salience");
  EXPECT_ERROR_MENTIONS(RescorlaWagner(RescorlaWagnerOptions(2).salience({1.0, 0.0})), "salience");
  RescorlaWagner rw(RescorlaWagnerOptions(3));
  EXPECT_ERROR_MENTIONS(rw->trial(cues({1, 0}), 1.0), "cues");
  EXPECT_ERROR_MENTIONS(rw->trial(kA, -1.0), "us");
  rw->trial(kAB, 1.0);
  auto copy = engram::testing::expect_deep_clone(rw, "RescorlaWagner");
  RescorlaWagner fresh(RescorlaWagnerOptions(3));
  engram::testing::expect_save_load(rw, fresh, "RescorlaWagner");
  engram::testing::expect_moved_to(*rw, torch::kDouble, "RescorlaWagner");
  std::ostringstream printed;
  rw->pretty_print(printed);
  EXPECT_NE(printed.str().find("num_cues=3"), std::string::npos);
}

// --- the TD model ---------------------------------------------------------------------------
constexpr int64_t kT = 20;

// A trial of kT steps: cue i on over [on, off) for each (i, on, off); the US at us_time (or none).
struct Timed {
  at::Tensor cues = torch::zeros({kT, 2}, torch::kDouble);
  at::Tensor us = torch::zeros({kT}, torch::kDouble);
  Timed& cue(int64_t i, int64_t on, int64_t off) {
    cues.slice(0, on, off).select(1, i).fill_(1);
    return *this;
  }
  Timed& reinforced(int64_t t) {
    us[t] = 1;
    return *this;
  }
};

// The prediction at the onset of cue i presented alone over [on, off).
double onset_value(const TDConditioning& td, int64_t i, int64_t on, int64_t off) {
  return td->values(Timed().cue(i, on, off).cues)[on].item<double>();
}

TEST(TDConditioning, AcquisitionThenExtinction) {
  TDConditioning td(TDConditioningOptions(2, kT));
  const Timed a_plus = Timed().cue(0, 10, 15).reinforced(15);
  for (int k = 0; k < 100; ++k)
    td->trial(a_plus.cues, a_plus.us);
  EXPECT_GT(onset_value(td, 0, 10, 15), 0.7); // gamma^4 = 0.81 at asymptote
  const at::Tensor delta = td->trial(a_plus.cues, a_plus.us);
  EXPECT_GT(delta[10].item<double>(), 0.5);           // the error has moved to the cue...
  EXPECT_LT(std::abs(delta[15].item<double>()), 0.1); // ...and left the predicted US
  const Timed a_minus = Timed().cue(0, 10, 15);
  for (int k = 0; k < 200; ++k)
    td->trial(a_minus.cues, a_minus.us);
  EXPECT_LT(onset_value(td, 0, 10, 15), 0.05);
}

TEST(TDConditioning, KaminBlockingAndOvershadowing) {
  TDConditioning blocked(TDConditioningOptions(2, kT)), control(TDConditioningOptions(2, kT));
  const Timed a_plus = Timed().cue(0, 10, 15).reinforced(15);
  const Timed ab_plus = Timed().cue(0, 10, 15).cue(1, 10, 15).reinforced(15);
  for (int k = 0; k < 150; ++k)
    blocked->trial(a_plus.cues, a_plus.us);
  for (int k = 0; k < 150; ++k) {
    blocked->trial(ab_plus.cues, ab_plus.us);
    control->trial(ab_plus.cues, ab_plus.us);
  }
  EXPECT_LT(onset_value(blocked, 1, 10, 15), 0.05);
  EXPECT_GT(onset_value(control, 1, 10, 15), 0.3);

  TDConditioning salient(TDConditioningOptions(2, kT).salience({1.0, 0.3}));
  for (int k = 0; k < 150; ++k)
    salient->trial(ab_plus.cues, ab_plus.us);
  EXPECT_LT(onset_value(salient, 1, 10, 15), 0.5 * onset_value(salient, 0, 10, 15));
}

TEST(TDConditioning, ConditionedInhibition) {
  TDConditioning td(TDConditioningOptions(2, kT));
  const Timed a_plus = Timed().cue(0, 10, 15).reinforced(15);
  const Timed ax_minus = Timed().cue(0, 10, 15).cue(1, 10, 15);
  for (int k = 0; k < 300; ++k) {
    td->trial(a_plus.cues, a_plus.us);
    td->trial(ax_minus.cues, ax_minus.us);
  }
  EXPECT_LT(onset_value(td, 1, 10, 15), -0.4);
}

TEST(TDConditioning, SecondOrderConditioning) {
  // Phase 1: A -> US. Phase 2: B -> A, never a US. B gains value from A's prediction (TD
  // bootstraps); the same design makes B an inhibitor under Rescorla-Wagner.
  TDConditioning td(TDConditioningOptions(2, kT));
  const Timed a_plus = Timed().cue(0, 10, 15).reinforced(15);
  const Timed b_then_a = Timed().cue(1, 5, 10).cue(0, 10, 15);
  for (int k = 0; k < 100; ++k)
    td->trial(a_plus.cues, a_plus.us);
  for (int k = 0; k < 15; ++k)
    td->trial(b_then_a.cues, b_then_a.us);
  const double v_b = onset_value(td, 1, 5, 10);
  std::printf("TD second-order: V(B) after 15 B->A trials = %.3f\n", v_b);
  EXPECT_GT(v_b, 0.1);
}

TEST(TDConditioning, OptionRangesAndContract) {
  EXPECT_ERROR_MENTIONS(TDConditioning(TDConditioningOptions(0, 5)), "num_cues");
  EXPECT_ERROR_MENTIONS(TDConditioning(TDConditioningOptions(1, 1)), "trial_length");
  EXPECT_ERROR_MENTIONS(TDConditioning(TDConditioningOptions(1, 5).learning_rate(0)),
                        "learning_rate");
  EXPECT_ERROR_MENTIONS(TDConditioning(TDConditioningOptions(1, 5).gamma(1.1)), "gamma");
  EXPECT_ERROR_MENTIONS(TDConditioning(TDConditioningOptions(1, 5).lambda(-0.1)), "lambda");
  EXPECT_ERROR_MENTIONS(TDConditioning(TDConditioningOptions(2, 5).salience({0.5})), "salience");
  TDConditioning td(TDConditioningOptions(2, kT));
  EXPECT_ERROR_MENTIONS(td->values(torch::zeros({kT + 1, 2})), "cues");
  EXPECT_ERROR_MENTIONS(td->trial(torch::zeros({kT, 2}), torch::zeros({kT - 1})), "us");
  const Timed a_plus = Timed().cue(0, 10, 15).reinforced(15);
  td->trial(a_plus.cues, a_plus.us);
  auto copy = engram::testing::expect_deep_clone(td, "TDConditioning");
  TDConditioning fresh(TDConditioningOptions(2, kT));
  engram::testing::expect_save_load(td, fresh, "TDConditioning");
  EXPECT_TRUE(fresh->values(a_plus.cues).equal(td->values(a_plus.cues)));
}

// --- fear conditioning and renewal ------------------------------------------------------------
TEST(FearCircuit, RenewalOfExtinguishedFearOutsideTheExtinctionContext) {
  FearCircuit fear(FearCircuitOptions(/*num_cues=*/1, /*num_contexts=*/3));
  const at::Tensor tone = cues({1});
  const at::Tensor ctx_a = cues({1, 0, 0}), ctx_b = cues({0, 1, 0}), ctx_c = cues({0, 0, 1});
  for (int k = 0; k < 10; ++k)
    fear->trial(tone, ctx_a, 1.0); // acquisition in A
  const double acquired = fear->fear(tone, ctx_a);
  EXPECT_GT(acquired, 0.9);
  for (int k = 0; k < 30; ++k)
    fear->trial(tone, ctx_b, 0.0); // extinction in B
  const double in_b = fear->fear(tone, ctx_b), in_a = fear->fear(tone, ctx_a),
               in_c = fear->fear(tone, ctx_c);
  std::printf("fear: acquired %.3f, after extinction in B %.3f, renewal in A %.3f, in C %.3f\n",
              acquired, in_b, in_a, in_c);
  EXPECT_LT(in_b, 0.05);           // extinguished where it was extinguished
  EXPECT_GT(in_a, 0.9 * acquired); // ABA renewal
  EXPECT_GT(in_c, 0.9 * acquired); // ABC renewal
  EXPECT_NEAR(fear->association()[0].item<double>(), acquired, 1e-9); // CS-US memory intact

  // Rescorla-Wagner with each context as one more cue extinguishes partly by unlearning the tone
  // and partly by an inhibitory context B. Its fear of the tone in a novel context C is what is
  // left of the tone's own strength: no ABC renewal (in A it predicts some, through A's own
  // excitatory strength, which renewal in animals does not need; Bouton 2004).
  RescorlaWagner rw(RescorlaWagnerOptions(4)); // tone, A, B, C
  for (int k = 0; k < 10; ++k)
    rw->trial(cues({1, 1, 0, 0}), 1.0);
  for (int k = 0; k < 30; ++k)
    rw->trial(cues({1, 0, 1, 0}), 0.0);
  const double rw_in_c = rw->predict(cues({1, 0, 0, 1})).item<double>();
  std::printf("Rescorla-Wagner, tone in C after extinction in B: %.3f\n", rw_in_c);
  EXPECT_LT(rw_in_c, 0.5 * in_c);
}

TEST(FearCircuit, OptionRangesAndContract) {
  EXPECT_ERROR_MENTIONS(FearCircuit(FearCircuitOptions(0, 1)), "num_cues");
  EXPECT_ERROR_MENTIONS(FearCircuit(FearCircuitOptions(1, 0)), "num_contexts");
  EXPECT_ERROR_MENTIONS(FearCircuit(FearCircuitOptions(1, 1).acquisition_rate(2)),
                        "acquisition_rate");
  EXPECT_ERROR_MENTIONS(FearCircuit(FearCircuitOptions(1, 1).extinction_rate(0)),
                        "extinction_rate");
  FearCircuit fear(FearCircuitOptions(1, 2));
  EXPECT_ERROR_MENTIONS(fear->trial(cues({1}), cues({1}), 1.0), "context");
  EXPECT_ERROR_MENTIONS(fear->trial(cues({1}), cues({1, 0}), 2.0), "us");
  fear->trial(cues({1}), cues({1, 0}), 1.0);
  fear->trial(cues({1}), cues({0, 1}), 0.0);
  auto copy = engram::testing::expect_deep_clone(fear, "FearCircuit");
  FearCircuit fresh(FearCircuitOptions(1, 2));
  engram::testing::expect_save_load(fear, fresh, "FearCircuit");
  EXPECT_EQ(fresh->fear(cues({1}), cues({1, 0})), fear->fear(cues({1}), cues({1, 0})));
}

} // namespace
