// Each rule's batched update against its textbook per-synapse formula, written as explicit loops.
#include <engram/layers/hebbian/competition.h>
#include <engram/layers/hebbian/local_rules.h>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace {

namespace rules = engram::layers::rules;
namespace competition = engram::layers::competition;

struct Batch {
  torch::Tensor w, x, y;
  int64_t b, in, out;
};

Batch make_batch() {
  torch::manual_seed(11);
  Batch s{torch::randn({3, 5}, torch::kDouble),
          torch::randn({4, 5}, torch::kDouble),
          torch::Tensor(),
          4,
          5,
          3};
  s.y = torch::matmul(s.x, s.w.t());
  return s;
}

double at(const torch::Tensor& t, int64_t i, int64_t j) {
  return t[i][j].item<double>();
}

TEST(LocalRules, OjaMatchesPerSynapseFormula) {
  const auto s = make_batch();
  const auto d = rules::oja(s.w, s.x, s.y);
  for (int64_t j = 0; j < s.out; ++j) {
    for (int64_t i = 0; i < s.in; ++i) {
      double expected = 0;
      for (int64_t b = 0; b < s.b; ++b) {
        expected += at(s.y, b, j) * (at(s.x, b, i) - at(s.y, b, j) * at(s.w, j, i));
      }
      EXPECT_NEAR(at(d, j, i), expected / s.b, 1e-12);
    }
  }
}

TEST(LocalRules, SangerMatchesPerSynapseFormula) {
  const auto s = make_batch();
  const auto d = rules::sanger(s.w, s.x, s.y);
  for (int64_t j = 0; j < s.out; ++j) {
    for (int64_t i = 0; i < s.in; ++i) {
      double expected = 0;
      for (int64_t b = 0; b < s.b; ++b) {
        double reconstruction = 0;
        for (int64_t k = 0; k <= j; ++k) {
          reconstruction += at(s.y, b, k) * at(s.w, k, i);
        }
        expected += at(s.y, b, j) * (at(s.x, b, i) - reconstruction);
      }
      EXPECT_NEAR(at(d, j, i), expected / s.b, 1e-12);
    }
  }
}

TEST(LocalRules, SangerFirstRowIsOja) {
  const auto s = make_batch();
  EXPECT_TRUE(torch::allclose(rules::sanger(s.w, s.x, s.y)[0], rules::oja(s.w, s.x, s.y)[0]));
}

TEST(LocalRules, BcmAndCovarianceMatchPerSynapseFormula) {
  const auto s = make_batch();
  const auto theta = torch::rand({s.out}, torch::kDouble);
  const auto mx = torch::randn({s.in}, torch::kDouble);
  const auto my = torch::randn({s.out}, torch::kDouble);
  const auto bcm = rules::bcm(s.x, s.y, theta);
  const auto cov = rules::covariance(s.x, s.y, mx, my);
  const auto hebb = rules::hebb(s.x, s.y);
  for (int64_t j = 0; j < s.out; ++j) {
    for (int64_t i = 0; i < s.in; ++i) {
      double e_bcm = 0, e_cov = 0, e_hebb = 0;
      for (int64_t b = 0; b < s.b; ++b) {
        const double y = at(s.y, b, j);
        const double x = at(s.x, b, i);
        e_bcm += x * y * (y - theta[j].item<double>());
        e_cov += (y - my[j].item<double>()) * (x - mx[i].item<double>());
        e_hebb += x * y;
      }
      EXPECT_NEAR(at(bcm, j, i), e_bcm / s.b, 1e-12);
      EXPECT_NEAR(at(cov, j, i), e_cov / s.b, 1e-12);
      EXPECT_NEAR(at(hebb, j, i), e_hebb / s.b, 1e-12);
    }
  }
}

TEST(Competition, SoftWtaRewardsTheWinnerAndPunishesLosers) {
  const auto u = torch::tensor({{1.0, 3.0, 2.0}}, torch::kDouble);
  const auto g = competition::soft_wta(u, 0.5, 1.0);
  const auto s = torch::softmax(u / 0.5, 1);
  EXPECT_NEAR(at(g, 0, 1), at(s, 0, 1), 1e-12);
  EXPECT_NEAR(at(g, 0, 0), -at(s, 0, 0), 1e-12);
  EXPECT_NEAR(at(g, 0, 2), -at(s, 0, 2), 1e-12);
  // Without the anti-Hebbian term the losers are simply left alone.
  const auto plain = competition::soft_wta(u, 0.5, 0.0);
  EXPECT_EQ(at(plain, 0, 0), 0.0);
  // A lower temperature concentrates the winner's share.
  EXPECT_GT(at(competition::soft_wta(u, 0.1, 1.0), 0, 1), at(g, 0, 1));
}

TEST(Competition, HardWtaPushesAwayTheKthRanked) {
  const auto u = torch::tensor({{0.1, 0.9, 0.5, 0.7}, {0.8, 0.2, 0.3, 0.1}}, torch::kDouble);
  const auto g = competition::hard_wta(u, 3, 0.4);
  const auto expected =
      torch::tensor({{0.0, 1.0, -0.4, 0.0}, {1.0, -0.4, 0.0, 0.0}}, torch::kDouble);
  EXPECT_TRUE(torch::equal(g, expected)) << g;
}

TEST(Competition, CompetitiveUpdateMovesTheWinnerTowardsTheInput) {
  const auto w = torch::tensor({{1.0, 0.0}, {0.0, 1.0}}, torch::kDouble);
  const auto x = torch::tensor({{0.6, 0.8}}, torch::kDouble);
  const auto u = torch::matmul(x, w.t());
  const auto g = competition::hard_wta(u, 2, 0.0);
  const auto next = w + 0.5 * rules::competitive(w, x, u, g);
  // Unit 1 won (0.8 > 0.6) and moved towards x; unit 0 is unchanged.
  EXPECT_TRUE(torch::equal(next[0], w[0]));
  EXPECT_LT((next[1] - x[0]).norm().item<double>(), (w[1] - x[0]).norm().item<double>());
}

TEST(Competition, InvalidArgumentsAreNamed) {
  const auto u = torch::randn({2, 3});
  EXPECT_THROW(
      {
        try {
          competition::soft_wta(u, 0.0, 1.0);
        } catch (const c10::Error& e) {
          EXPECT_NE(std::string(e.what()).find("temperature"), std::string::npos);
          throw;
        }
      },
      c10::Error);
  EXPECT_THROW(competition::hard_wta(u, 4, 0.4), c10::Error);
  EXPECT_THROW(competition::hard_wta(u, 1, 0.4), c10::Error);
}

} // namespace
