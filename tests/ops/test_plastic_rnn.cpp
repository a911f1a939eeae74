// plastic_rnn: fused forward and backward against the unrolled reference, finite differences in
// float64, argument errors and the memory bound.
#include <ops/plastic_rnn_case.h>

#include <engram/ops/plastic_rnn.h>
#include <support/cpu_memory_counter.h>
#include <support/error_message.h>

#include <gtest/gtest.h>
#include <torch/autograd.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace engram::ops::testing {
using engram::testing::CpuMemoryCounter;
namespace {

// max |a - b| <= tol · max(1, max |b|)
::testing::AssertionResult close(const torch::Tensor& a, const torch::Tensor& b, double tol,
                                 const std::string& what) {
  if (!a.defined() || !b.defined()) {
    if (a.defined() == b.defined()) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << what << ": one side undefined";
  }
  if (a.sizes() != b.sizes()) {
    return ::testing::AssertionFailure() << what << ": shape " << a.sizes() << " vs " << b.sizes();
  }
  if (a.numel() == 0) {
    return ::testing::AssertionSuccess();
  }
  const double err =
      (a.cpu().to(torch::kDouble) - b.cpu().to(torch::kDouble)).abs().max().item<double>();
  const double scale = std::max(1.0, b.cpu().to(torch::kDouble).abs().max().item<double>());
  if (err <= tol * scale) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << what << ": max error " << err << " > " << tol << " * " << scale;
}

void check_against_reference_float32(const PlasticCase& c) {
  SCOPED_TRACE(c.name());
  const auto p = PlasticProblem::make(c, torch::kFloat, 11);
  auto fused_in = p.leaves();
  auto ref_in = p.leaves();
  const auto fused = p.run(fused_in, false);
  const auto ref = p.run(ref_in, true);
  EXPECT_TRUE(close(fused.outputs, ref.outputs, 1e-5, "outputs"));
  EXPECT_TRUE(close(fused.h, ref.h, 1e-5, "h"));
  EXPECT_TRUE(close(fused.H, ref.H, 1e-5, "H"));
  EXPECT_TRUE(close(fused.E, ref.E, 1e-5, "E"));
  EXPECT_TRUE(close(fused.m, ref.m, 1e-5, "m"));
  if (c.clip) {
    // the clip must actually bind somewhere for the case to test it
    EXPECT_GE(ref.H.abs().max().item<double>(), 0.15 - 1e-6);
  }
  p.loss(fused).backward();
  p.loss(ref).backward();
  const auto& names = PlasticProblem::input_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (!fused_in[i].defined()) {
      continue;
    }
    auto gf = fused_in[i].grad();
    auto gr = ref_in[i].grad();
    if (!gr.defined()) {
      gr = torch::zeros_like(fused_in[i]);
    }
    ASSERT_TRUE(gf.defined()) << names[i];
    EXPECT_TRUE(close(gf, gr, 1e-5, "grad " + names[i]));
  }
}

void check_finite_differences_float64(PlasticCase c) {
  SCOPED_TRACE(c.name());
  c.T = 5;
  c.B = 2;
  c.I = 3;
  c.N = 4;
  c.chunk = 2;
  const auto p = PlasticProblem::make(c, torch::kDouble, 5);
  auto in = p.leaves();
  p.loss(p.run(in, false)).backward();
  torch::NoGradGuard no_grad;
  const double eps = 1e-6;
  const auto& names = PlasticProblem::input_names();
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i].defined()) {
      continue;
    }
    const auto analytic = in[i].grad().reshape({-1});
    auto numeric = torch::zeros_like(analytic);
    auto flat = in[i].view({-1});
    for (int64_t k = 0; k < flat.numel(); ++k) {
      const double v = flat[k].item<double>();
      flat[k] = v + eps;
      const double up = p.loss(p.run(in, false)).item<double>();
      flat[k] = v - eps;
      const double down = p.loss(p.run(in, false)).item<double>();
      flat[k] = v;
      numeric[k] = (up - down) / (2 * eps);
    }
    EXPECT_TRUE(close(analytic, numeric, 1e-6, "finite differences " + names[i]));
  }
}

// One test per rule and modulation (a process each under CTest), looping over alpha shape × clip
// × modulation source.
class PlasticRnnCases : public ::testing::TestWithParam<std::tuple<HebbianRule, Modulation>> {
protected:
  std::vector<PlasticCase> cases() const {
    std::vector<PlasticCase> out;
    for (const auto& c : all_plastic_cases()) {
      if (c.rule == std::get<0>(GetParam()) && c.modulation == std::get<1>(GetParam())) {
        out.push_back(c);
      }
    }
    return out;
  }
};

TEST_P(PlasticRnnCases, ForwardAndGradientsMatchReferenceFloat32) {
  const auto all = cases();
  ASSERT_FALSE(all.empty());
  for (const auto& c : all) {
    check_against_reference_float32(c);
  }
}

TEST_P(PlasticRnnCases, GradientsMatchFiniteDifferencesFloat64) {
  for (const auto& c : cases()) {
    check_finite_differences_float64(c);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, PlasticRnnCases,
    ::testing::Combine(::testing::Values(HebbianRule::kHebb, HebbianRule::kOja),
                       ::testing::Values(Modulation::kNone, Modulation::kSimple,
                                         Modulation::kRetroactive)),
    [](const auto& info) {
      return std::string(to_string(std::get<0>(info.param))) + "_" +
             to_string(std::get<1>(info.param));
    });

TEST(PlasticRnn, GradientsDoNotDependOnChunkSize) {
  PlasticCase c;
  c.rule = HebbianRule::kOja;
  c.modulation = Modulation::kRetroactive;
  c.clip = true;
  c.T = 13;
  std::vector<torch::Tensor> first;
  for (std::optional<int64_t> chunk : {std::optional<int64_t>(1), std::optional<int64_t>(4),
                                       std::optional<int64_t>(13), std::optional<int64_t>()}) {
    c.chunk = chunk;
    const auto p = PlasticProblem::make(c, torch::kDouble, 3);
    auto in = p.leaves();
    p.loss(p.run(in, false)).backward();
    if (first.empty()) {
      for (auto& t : in) {
        first.push_back(t.defined() ? t.grad() : t);
      }
      continue;
    }
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i].defined()) {
        EXPECT_TRUE(close(in[i].grad(), first[i], 1e-12, PlasticProblem::input_names()[i]));
      }
    }
  }
}

TEST(PlasticRnn, NoGradPathAndNonContiguousInputsMatch) {
  PlasticCase c;
  c.modulation = Modulation::kSimple;
  const auto p = PlasticProblem::make(c, torch::kFloat, 8);
  const auto expected = p.run(p.inputs, true);
  torch::Tensor fused_outputs;
  {
    torch::NoGradGuard no_grad;
    fused_outputs = p.run(p.inputs, false).outputs;
  }
  EXPECT_TRUE(close(fused_outputs, expected.outputs, 1e-5, "no-grad outputs"));
  auto in = p.inputs;
  in[0] = in[0].transpose(0, 1).contiguous().transpose(0, 1); // same values, strided
  in[4] = in[4].t().contiguous().t();
  ASSERT_FALSE(in[0].is_contiguous());
  EXPECT_TRUE(close(p.run(in, false).outputs, expected.outputs, 1e-5, "strided outputs"));
}

TEST(PlasticRnn, WithoutInputProjection) {
  PlasticCase c;
  c.with_w_in = false;
  c.rule = HebbianRule::kOja;
  const auto p = PlasticProblem::make(c, torch::kDouble, 4);
  auto a = p.leaves();
  auto r = p.leaves();
  const auto fused = p.run(a, false);
  const auto ref = p.run(r, true);
  EXPECT_TRUE(close(fused.outputs, ref.outputs, 1e-12, "outputs"));
  p.loss(fused).backward();
  p.loss(ref).backward();
  EXPECT_TRUE(close(a[0].grad(), r[0].grad(), 1e-12, "grad x"));
}

// ----------------------------------------------------------------------------------------------
// Argument errors name the argument, the expected and the actual value.

using engram::testing::expect_error;

TEST(PlasticRnn, RejectsBadArguments) {
  PlasticCase c;
  const auto p = PlasticProblem::make(c, torch::kFloat, 1);
  const auto& in = p.inputs;
  const auto call = [&](std::vector<torch::Tensor> args, PlasticRnnOptions opt = {}) {
    plastic_rnn(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], {}, opt);
  };
  auto bad = in;
  bad[0] = in[0][0];
  expect_error([&] { call(bad); }, {"'x'", "expected 3 dimensions", "got 2"});
  bad = in;
  bad[2] = torch::zeros({3, 5, 4});
  expect_error([&] { call(bad); }, {"'H0'", "[3, 5, 5]", "[3, 5, 4]"});
  bad = in;
  bad[4] = in[4].to(torch::kDouble);
  expect_error([&] { call(bad); }, {"'W'", "Float", "Double"});
  bad = in;
  bad[5] = torch::zeros({3});
  expect_error([&] { call(bad); }, {"'alpha'", "[5, 5], [5] or a scalar", "[3]"});
  bad = in;
  bad[6] = torch::zeros({5}, torch::kMeta);
  expect_error([&] { call(bad); }, {"'b'", "expected device cpu", "got meta"});
  bad = in;
  bad[7] = torch::full({}, -0.1);
  expect_error([&] { call(bad); }, {"'eta'", ">= 0", "-0.1"});
  bad = in;
  bad[7] = torch::zeros({2});
  expect_error([&] { call(bad); }, {"'eta'", "scalar", "[2]"});
  bad = in;
  bad[0] = in[0].to(torch::kInt);
  expect_error([&] { call(bad); }, {"'x'", "float32 or float64", "Int"});
  expect_error([&] { call(in, PlasticRnnOptions().chunk_size(0)); },
               {"'chunk_size'", ">= 1", "got 0"});
  expect_error([&] { call(in, PlasticRnnOptions().clip(-1.0)); }, {"'clip'", "> 0", "-1"});
  expect_error([&] { call(in, PlasticRnnOptions().modulation(Modulation::kSimple)); },
               {"'w_m'", "[5]", "undefined"});
  PlasticRnnModulationInputs mod;
  mod.m = torch::zeros({7, 2});
  expect_error(
      [&] {
        plastic_rnn(in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], mod,
                    PlasticRnnOptions().modulation(Modulation::kSimple));
      },
      {"'m'", "[7, 3]", "[7, 2]"});
  expect_error([&] { parse_hebbian_rule("hebbian"); }, {"'rule'", "oja", "'hebbian'"});
  // the shared rule type: plastic_rnn runs two of its rules and names them when given another
  expect_error([&] { call(in, PlasticRnnOptions().rule(HebbianRule::kSanger)); },
               {"'rule'", "hebb, oja", "'sanger'"});
  // double backward is refused rather than silently wrong
  auto W = in[4].clone().requires_grad_(true);
  const auto r = plastic_rnn(in[0], in[1], in[2], in[3], W, in[5], in[6], in[7]);
  expect_error([&] { torch::autograd::grad({r.outputs.sum()}, {W}, {}, true, true); },
               {"double backward", "not supported"});
}

// ----------------------------------------------------------------------------------------------
// Memory: what the fused op keeps for backward barely grows with T; the unrolled graph grows ∝ T.

int64_t bytes_of(const PlasticRnnResult& r) {
  int64_t n = 0;
  for (const auto* t : {&r.outputs, &r.h, &r.H, &r.E, &r.m}) {
    n += t->defined() ? static_cast<int64_t>(t->nbytes()) : 0;
  }
  return n;
}

struct Retained {
  int64_t node_bytes = -1;     // reported by the autograd node (fused only)
  int64_t allocator_bytes = 0; // live after forward, minus the returned tensors
};

Retained retained_for_backward(int64_t T, bool reference) {
  CpuMemoryCounter::install();
  PlasticCase c;
  c.T = T;
  c.B = 2;
  c.I = 8;
  c.N = 48;
  c.chunk.reset();
  c.modulation = Modulation::kRetroactive;
  const auto p = PlasticProblem::make(c, torch::kFloat, 2);
  const auto in = p.leaves();
  const int64_t before = CpuMemoryCounter::live_bytes();
  const auto r = p.run(in, reference);
  Retained out;
  out.allocator_bytes = CpuMemoryCounter::live_bytes() - before - bytes_of(r);
  out.node_bytes = plastic_rnn_saved_bytes(r.outputs);
  return out;
}

TEST(PlasticRnn, SavedMemoryGrowsFarSlowerThanSequenceLength) {
  const auto fused100 = retained_for_backward(100, false);
  const auto fused1000 = retained_for_backward(1000, false);
  const auto ref100 = retained_for_backward(100, true);
  const auto ref1000 = retained_for_backward(1000, true);
  ASSERT_GT(fused100.node_bytes, 0);
  EXPECT_LT(fused1000.node_bytes, 2 * fused100.node_bytes);
  // allocator view: the checkpoints are all the fused op retains
  EXPECT_LE(fused100.allocator_bytes, fused100.node_bytes + 4096);
  EXPECT_LT(fused1000.allocator_bytes, 2 * fused100.allocator_bytes);
  EXPECT_GT(ref1000.allocator_bytes, 9 * ref100.allocator_bytes);
  EXPECT_GT(ref100.allocator_bytes, 5 * fused100.allocator_bytes);
  EXPECT_EQ(plastic_rnn_saved_bytes(torch::zeros({2})), -1);
  std::cout << "retained bytes T=100/1000: fused " << fused100.allocator_bytes << " / "
            << fused1000.allocator_bytes << ", reference " << ref100.allocator_bytes << " / "
            << ref1000.allocator_bytes << "\n";
}

} // namespace
} // namespace engram::ops::testing
