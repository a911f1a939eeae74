// hebbian_update: fused forward and hand-written backward against the pure-ATen reference, finite
// differences in float64, argument errors.
#include <engram/ops/hebbian_update.h>
#include <support/error_message.h>

#include <gtest/gtest.h>
#include <torch/nn/functional/normalization.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace engram::ops {
namespace {

struct HebbCase {
  HebbianRule rule;
  bool shared;
  int m_kind; // 0 none, 1 [B], 2 [B, O]
  bool clip;
  bool with_state;

  std::string name() const {
    return std::string(to_string(rule)) + (shared ? "_shared" : "_persample") +
           (m_kind == 0   ? "_nom"
            : m_kind == 1 ? "_mB"
                          : "_mBO") +
           (clip ? "_clip" : "_noclip") + (with_state ? "_state" : "_nostate");
  }
};

struct HebbProblem {
  std::vector<torch::Tensor> in; // H, pre, post, eta, m, pre_mean, post_mean, theta
  std::vector<torch::Tensor> w;  // loss weights: H, pre_mean, post_mean, theta
  HebbianUpdateOptions opt;

  static HebbProblem make(const HebbCase& c, torch::Dtype dtype) {
    torch::manual_seed(21);
    const auto o = torch::TensorOptions().dtype(dtype);
    const int64_t B = 3, I = 4, O = 5;
    HebbProblem p;
    p.in.resize(8);
    p.in[0] = c.shared ? torch::randn({I, O}, o) * 0.3 : torch::randn({B, I, O}, o) * 0.3;
    p.in[1] = torch::randn({B, I}, o);
    p.in[2] = torch::randn({B, O}, o);
    p.in[3] = torch::full({}, 0.4, o);
    if (c.m_kind == 1) {
      p.in[4] = torch::randn({B}, o);
    } else if (c.m_kind == 2) {
      p.in[4] = torch::randn({B, O}, o);
    }
    if (c.with_state && c.rule == HebbianRule::kCovariance) {
      p.in[5] = torch::randn({B, I}, o) * 0.5;
      p.in[6] = torch::randn({B, O}, o) * 0.5;
    }
    if (c.with_state && c.rule == HebbianRule::kBcm) {
      p.in[7] = torch::rand({B, O}, o);
    }
    p.w = {torch::randn_like(p.in[0]), torch::randn({B, I}, o), torch::randn({B, O}, o),
           torch::randn({B, O}, o)};
    p.opt.rule(c.rule).mean_rate(0.2);
    if (c.clip) {
      p.opt.clip(0.35);
    }
    return p;
  }

  HebbianUpdateResult run(const std::vector<torch::Tensor>& t, bool reference) const {
    HebbianState s{t[5], t[6], t[7]};
    return reference ? reference::hebbian_update(t[0], t[1], t[2], t[3], t[4], s, opt)
                     : hebbian_update(t[0], t[1], t[2], t[3], t[4], s, opt);
  }

  torch::Tensor loss(const HebbianUpdateResult& r) const {
    auto l = (r.H * w[0]).sum();
    if (r.state.pre_mean.defined()) {
      l = l + (r.state.pre_mean * w[1]).sum() + (r.state.post_mean * w[2]).sum();
    }
    if (r.state.theta.defined()) {
      l = l + (r.state.theta * w[3]).sum();
    }
    return l;
  }

  std::vector<torch::Tensor> leaves() const {
    std::vector<torch::Tensor> out;
    for (const auto& t : in) {
      out.push_back(t.defined() ? t.detach().clone().requires_grad_(true) : t);
    }
    return out;
  }
};

const char* const kNames[] = {"H", "pre", "post", "eta", "m", "pre_mean", "post_mean", "theta"};

std::vector<HebbCase> all_cases() {
  std::vector<HebbCase> cases;
  for (auto rule :
       {HebbianRule::kHebb, HebbianRule::kOja, HebbianRule::kCovariance, HebbianRule::kBcm}) {
    for (bool shared : {false, true}) {
      for (int m : {0, 1, 2}) {
        for (bool clip : {false, true}) {
          for (bool state : {false, true}) {
            if (state && (rule == HebbianRule::kHebb || rule == HebbianRule::kOja)) {
              continue;
            }
            cases.push_back({rule, shared, m, clip, state});
          }
        }
      }
    }
  }
  return cases;
}

double max_err(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(1.0, b.abs().max().item<double>());
}

void check_against_reference_float32(const HebbCase& c) {
  SCOPED_TRACE(c.name());
  const auto p = HebbProblem::make(c, torch::kFloat);
  auto a = p.leaves();
  auto r = p.leaves();
  const auto fa = p.run(a, false);
  const auto fr = p.run(r, true);
  EXPECT_LT(max_err(fa.H, fr.H), 1e-6);
  if (c.clip) {
    EXPECT_GE(fr.H.abs().max().item<double>(), 0.35 - 1e-6);
  }
  p.loss(fa).backward();
  p.loss(fr).backward();
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].defined()) {
      continue;
    }
    ASSERT_TRUE(a[i].grad().defined()) << kNames[i];
    const auto gr = r[i].grad().defined() ? r[i].grad() : torch::zeros_like(a[i]);
    EXPECT_LT(max_err(a[i].grad(), gr), 1e-5) << kNames[i];
  }
}

void check_finite_differences_float64(const HebbCase& c) {
  SCOPED_TRACE(c.name());
  const auto p = HebbProblem::make(c, torch::kDouble);
  auto a = p.leaves();
  p.loss(p.run(a, false)).backward();
  torch::NoGradGuard no_grad;
  const double eps = 1e-6;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].defined()) {
      continue;
    }
    auto flat = a[i].view({-1});
    const auto analytic = a[i].grad().reshape({-1});
    for (int64_t k = 0; k < flat.numel(); ++k) {
      const double v = flat[k].item<double>();
      flat[k] = v + eps;
      const double up = p.loss(p.run(a, false)).item<double>();
      flat[k] = v - eps;
      const double down = p.loss(p.run(a, false)).item<double>();
      flat[k] = v;
      EXPECT_NEAR(analytic[k].item<double>(), (up - down) / (2 * eps), 1e-6)
          << kNames[i] << "[" << k << "]";
    }
  }
}

// One test per rule (a process each under CTest), looping over the other options.
class HebbianCases : public ::testing::TestWithParam<HebbianRule> {
protected:
  std::vector<HebbCase> cases() const {
    std::vector<HebbCase> out;
    for (const auto& c : all_cases()) {
      if (c.rule == GetParam()) {
        out.push_back(c);
      }
    }
    return out;
  }
};

TEST_P(HebbianCases, MatchesReferenceFloat32) {
  const auto all = cases();
  ASSERT_FALSE(all.empty());
  for (const auto& c : all) {
    check_against_reference_float32(c);
  }
}

TEST_P(HebbianCases, MatchesFiniteDifferencesFloat64) {
  for (const auto& c : cases()) {
    check_finite_differences_float64(c);
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, HebbianCases,
                         ::testing::Values(HebbianRule::kHebb, HebbianRule::kOja,
                                           HebbianRule::kCovariance, HebbianRule::kBcm),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(HebbianUpdate, OjaKeepsWeightNormBounded) {
  // Oja's rule normalises: repeated updates with one input direction converge to |w| ≈ 1.
  torch::manual_seed(0);
  auto H = torch::randn({1, 6, 1}) * 0.1;
  const auto dir = torch::nn::functional::normalize(
      torch::randn({1, 6}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  for (int step = 0; step < 400; ++step) {
    const auto x = dir * torch::randn({1, 1});
    const auto y = (x.unsqueeze(1).bmm(H)).squeeze(1); // y = wᵀx
    H = hebbian_update(H, x, y, 0.05, {}, {}, HebbianUpdateOptions().rule(HebbianRule::kOja)).H;
  }
  EXPECT_NEAR(H.norm().item<double>(), 1.0, 0.05);
  const double cosine =
      (H.view({6}) * dir.view({6})).sum().abs().item<double>() / H.norm().item<double>();
  EXPECT_GT(cosine, 0.99);
}

TEST(HebbianUpdate, RejectsBadArguments) {
  const auto H = torch::zeros({2, 3, 4});
  const auto x = torch::zeros({2, 3});
  const auto y = torch::zeros({2, 4});
  using engram::testing::expect_error;
  expect_error(
      [&] {
        hebbian_update(torch::zeros({2, 4, 4}), x, y, 0.1);
      },
      {"'H'", "[2, 3, 4]", "[2, 4, 4]"});
  expect_error([&] { hebbian_update(H, x, y, -0.5); }, {"'eta'", ">= 0", "-0.5"});
  expect_error(
      [&] {
        hebbian_update(H, x, torch::zeros({2, 4}, torch::kDouble), 0.1);
      },
      {"'post'", "Float", "Double"});
  expect_error([&] { hebbian_update(H, x, y, 0.1, torch::zeros({3})); }, {"'m'", "[2]", "[3]"});
  expect_error([&] { hebbian_update(H, x[0], y, 0.1); }, {"'pre'", "2 dimensions", "got 1"});
  expect_error(
      [&] {
        hebbian_update(H, x, y, 0.1, {}, {torch::zeros({2, 3}), {}, {}});
      },
      {"'state.pre_mean'", "undefined", "hebb"});
  expect_error([&] { parse_hebbian_rule("anti"); }, {"'rule'", "bcm", "'anti'"});
  expect_error(
      [&] {
        hebbian_update(H, x, y, 0.1, {}, {}, HebbianUpdateOptions().rule(HebbianRule::kSoftWta));
      },
      {"'rule'", "hebb, oja, covariance, bcm", "'soft_wta'"});
}

TEST(HebbianUpdate, NonContiguousInputsAreRead) {
  torch::manual_seed(3);
  const auto H = torch::randn({2, 3, 4}).permute({2, 1, 0}); // [4, 3, 2], strided
  const auto x = torch::randn({3, 4}).t();                   // [4, 3], strided
  const auto y = torch::randn({4, 2});
  ASSERT_FALSE(H.is_contiguous());
  ASSERT_FALSE(x.is_contiguous());
  const auto a = hebbian_update(H, x, y, 0.2).H;
  const auto b =
      reference::hebbian_update(H.contiguous(), x.contiguous(), y, torch::full({}, 0.2)).H;
  EXPECT_TRUE(torch::allclose(a, b));
}

} // namespace
} // namespace engram::ops
