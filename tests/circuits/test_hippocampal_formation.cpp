// The hippocampal formation at small size: DG pattern separation, CA3 pattern completion with its
// sharp transition, the DG's gain in capacity for correlated patterns, neurogenesis turnover, and
// the module contract.
#include <engram/models/circuits/hippocampal_formation.h>
#include <engram/models/circuits/sparse_patterns.h>
#include <support/error_message.h>
#include <support/module_contract.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace circuits = engram::models::circuits;
using circuits::HippocampalFormation;
using circuits::HippocampalFormationOptions;

namespace {

at::Generator seeded(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

TEST(HippocampalFormation, DentateGyrusSeparatesSimilarInputs) {
  torch::manual_seed(1);
  HippocampalFormation hc(HippocampalFormationOptions(100, 200));
  auto gen = seeded(2);
  const at::Tensor a = circuits::random_sparse_patterns(40, 100, 10, gen);
  const at::Tensor dg_a = hc->dentate_gyrus(a);
  EXPECT_EQ(hc->dg_size(), 800);
  EXPECT_TRUE(dg_a.sum(1).eq(16).all().item<bool>()); // 2 % of 800 active
  for (double keep : {0.6, 0.8, 0.9}) {
    const at::Tensor b = circuits::pattern_variants(a, keep, gen);
    const double in = circuits::pattern_overlap(a, b).mean().item<double>();
    const double out = circuits::pattern_overlap(dg_a, hc->dentate_gyrus(b)).mean().item<double>();
    std::printf("separation: EC overlap %.2f -> DG overlap %.2f\n", in, out);
    EXPECT_NEAR(in, keep, 1e-6);
    EXPECT_LT(out, in - 0.2);
  }
}

TEST(HippocampalFormation, CA3CompletesPartialCuesWithASharpTransition) {
  torch::manual_seed(3);
  HippocampalFormation hc(HippocampalFormationOptions(200, 400));
  auto gen = seeded(4);
  const at::Tensor x = circuits::random_sparse_patterns(30, 200, 20, gen);
  const at::Tensor stored = hc->store(x);
  std::vector<double> quality;
  const std::vector<double> fractions{0.05, 0.1, 0.2, 0.3, 0.5, 1.0};
  for (double f : fractions) {
    const auto r = hc->recall(circuits::partial_cues(x, f, gen));
    quality.push_back(circuits::pattern_overlap(stored, r.ca3).mean().item<double>());
    std::printf("completion: cue %.2f -> CA3 %.3f, EC %.3f\n", f, quality.back(),
                circuits::pattern_overlap(x, r.ec).mean().item<double>());
  }
  EXPECT_LT(quality[0], 0.5);  // one cue unit of 20: no recall
  EXPECT_GT(quality[3], 0.9);  // 30 % of the pattern recalls nearly all of it
  EXPECT_GT(quality[5], 0.99); // the full cue recalls it
  double jump = 0;
  for (size_t k = 1; k < quality.size(); ++k)
    jump = std::max(jump, quality[k] - quality[k - 1]);
  EXPECT_GT(jump, 0.3); // a sharp attractor transition, not a linear ramp
}

TEST(HippocampalFormation, DentateGyrusRaisesCapacityForCorrelatedPatterns) {
  double with_dg = 0, without_dg = 0;
  for (bool dg : {true, false}) {
    torch::manual_seed(5);
    HippocampalFormation hc(HippocampalFormationOptions(100, 400).dentate_gyrus(dg));
    auto gen = seeded(6);
    const at::Tensor x = circuits::correlated_patterns(40, 5, 100, 10, 0.6, gen);
    hc->store(x);
    const double q =
        circuits::pattern_overlap(x, hc->recall(circuits::partial_cues(x, 0.7, gen)).ec)
            .mean()
            .item<double>();
    (dg ? with_dg : without_dg) = q;
  }
  std::printf("40 correlated patterns, EC recall: with DG %.3f, without %.3f\n", with_dg,
              without_dg);
  EXPECT_GT(with_dg, without_dg + 0.15);
}

TEST(HippocampalFormation, NeurogenesisReplacesAFractionOfGranuleCells) {
  torch::manual_seed(7);
  HippocampalFormation hc(HippocampalFormationOptions(100, 200).dg_turnover(0.1));
  auto gen = seeded(8);
  const at::Tensor x = circuits::random_sparse_patterns(20, 100, 10, gen);
  const at::Tensor before = hc->dentate_gyrus(x);
  EXPECT_EQ(hc->turnover(), 80);
  const double kept = circuits::pattern_overlap(before, hc->dentate_gyrus(x)).mean().item<double>();
  EXPECT_GT(kept, 0.5);
  EXPECT_LT(kept, 0.99);
}

TEST(HippocampalFormation, OptionRangesAndContract) {
  using O = HippocampalFormationOptions;
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(1, 10)), "ec_size");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 1)), "ca3_size");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).dg_expansion(0)), "dg_expansion");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).dg_activity(0.6)), "dg_activity");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).ca3_activity(0)), "ca3_activity");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).ec_activity(0.7)), "ec_activity");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).mossy_inputs(81)), "mossy_inputs");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).recall_steps(-1)), "recall_steps");
  EXPECT_ERROR_MENTIONS(HippocampalFormation(O(10, 10).dg_turnover(1.5)), "dg_turnover");
  torch::manual_seed(9);
  HippocampalFormation hc(O(20, 40).ec_activity(0.2));
  EXPECT_ERROR_MENTIONS(hc->store(torch::zeros({2, 21})), "EC patterns");
  auto gen = seeded(10);
  const at::Tensor x = circuits::random_sparse_patterns(3, 20, 4, gen);
  hc->store(x);
  auto copy = engram::testing::expect_deep_clone(hc, "HippocampalFormation");
  EXPECT_TRUE(copy->forward(x).equal(hc->forward(x)));
  HippocampalFormation fresh(O(20, 40).ec_activity(0.2));
  engram::testing::expect_save_load(hc, fresh, "HippocampalFormation");
  EXPECT_TRUE(fresh->forward(x).equal(hc->forward(x)));
  EXPECT_EQ(fresh->stored(), 3);
}

} // namespace
