#include <engram/rl/agents/td_lambda.h>
#include <engram/rl/agents/true_online_td_lambda.h>
#include <engram/rl/environments/random_walk.h>
#include <rl_random_walk/random_walk_experiment.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

using namespace engram::rl;

TEST(EligibilityTrace, AccumulatingReplacingAndDutchFollowTheirDefinitions) {
  const std::vector<double> x{1.0, 0.0, 1.0};
  std::vector<double> acc{0.5, 0.5, 0.5}, rep = acc, dutch = acc;
  update_trace(acc, x, 0.5, 0.1, TraceKind::kAccumulating);
  update_trace(rep, x, 0.5, 0.1, TraceKind::kReplacing);
  update_trace(dutch, x, 0.5, 0.1, TraceKind::kDutch);
  EXPECT_EQ(acc, (std::vector<double>{1.25, 0.25, 1.25}));
  EXPECT_EQ(rep, (std::vector<double>{1.0, 0.25, 1.0}));
  // e.x = 1.0 -> scale = 1 - 0.1 * 0.5 * 1.0 = 0.95
  EXPECT_DOUBLE_EQ(dutch[0], 0.25 + 0.95);
  EXPECT_DOUBLE_EQ(dutch[1], 0.25);
}

TEST(TDPrediction, TD0ConvergesToTheRandomWalkTrueValues) {
  RandomWalk env({}, 4);
  TabularTDLambda td(TDLambdaOptions(21).alpha(0.01).lambda(0.0));
  for (int e = 0; e < 3000; ++e) {
    td.begin_episode();
    int64_t s = state_of(env.reset());
    StepResult r;
    do {
      r = env.step(0);
      const int64_t s2 = state_of(r.observation);
      td.update(s, r.reward, s2, r.terminated);
      s = s2;
    } while (!r.done());
  }
  const auto truth = env.true_values();
  double max_err = 0;
  for (int i = 1; i <= 19; ++i)
    max_err = std::max(max_err, std::abs(td.value(i) - truth[i]));
  EXPECT_LT(max_err, 0.12);
  EXPECT_EQ(td.value(0), 0.0); // terminal values are never updated
  EXPECT_EQ(td.value(20), 0.0);
}

TEST(TDPrediction, TrueOnlineWithLambdaZeroIsTD0) {
  RandomWalk a({}, 5), b({}, 5);
  LinearTDLambda td0(TDLambdaOptions(21).alpha(0.3));
  TrueOnlineTDLambda to(TDLambdaOptions(21).alpha(0.3));
  for (int e = 0; e < 20; ++e) {
    td0.begin_episode();
    to.begin_episode();
    std::vector<double> x(21, 0.0), x2(21, 0.0);
    x[state_of(a.reset())] = 1;
    b.reset();
    StepResult r;
    do {
      r = a.step(0);
      b.step(0);
      std::fill(x2.begin(), x2.end(), 0.0);
      x2[state_of(r.observation)] = 1;
      const double d1 = td0.update(x, r.reward, x2, r.terminated);
      const double d2 = to.update(x, r.reward, x2, r.terminated);
      ASSERT_NEAR(d1, d2, 1e-12);
      x = x2;
    } while (!r.done());
  }
  for (int i = 0; i < 21; ++i)
    EXPECT_NEAR(td0.weights()[i], to.weights()[i], 1e-12);
}

// The book's experiment at 20 instead of 100 runs: U-shaped RMS-vs-alpha curves, intermediate
// lambda best, the best error in the region of the book's figure (about 0.25 at lambda ~ 0.8).
TEST(TDPrediction, RandomWalkRmsCurvesAreUShapedAndIntermediateLambdaIsBest) {
  RandomWalkExperiment ex;
  ex.runs = 20;
  ex.seed = 1;
  const std::vector<double> alphas{0.002, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0};
  std::map<double, double> best;
  for (const double lambda : {0.0, 0.4, 0.8, 1.0}) {
    std::vector<double> rms;
    for (const double a : alphas)
      rms.push_back(random_walk_rms_error(ex, lambda, a));
    const auto it = std::min_element(rms.begin(), rms.end());
    best[lambda] = *it;
    // Too small a step learns nothing in 10 episodes (error stays near the initial 0.55).
    EXPECT_GT(rms.front(), *it + (lambda < 1 ? 0.1 : 0.0)) << lambda;
    EXPECT_GT(rms.front(), 0.45) << lambda;
    // Too large a step is noisy (or diverges for large lambda): the far end rises again.
    EXPECT_GT(rms.back(), *it + 0.02) << lambda;
    if (lambda < 1) {
      EXPECT_NE(it, rms.begin()) << lambda;
      EXPECT_NE(it, rms.end() - 1) << lambda;
    }
  }
  EXPECT_LT(best[0.8], best[0.4]);
  EXPECT_LT(best[0.4], best[0.0]);
  EXPECT_LT(best[0.4], best[1.0]);
  EXPECT_GT(best[0.8], 0.20);
  EXPECT_LT(best[0.8], 0.30);
  EXPECT_GT(best[0.0], 0.30);
  EXPECT_LT(best[0.0], 0.40);
}

TEST(TDPrediction, TrueOnlineStaysStableWhereAccumulatingTracesDiverge) {
  RandomWalkExperiment acc;
  acc.runs = 10;
  RandomWalkExperiment to = acc;
  to.algorithm = TDAlgorithm::kTrueOnlineTdLambda;
  EXPECT_GT(random_walk_rms_error(acc, 0.975, 0.6), 0.9);
  EXPECT_LT(random_walk_rms_error(to, 0.975, 0.6), 0.6);
  // At a good step size the two agree closely.
  EXPECT_NEAR(random_walk_rms_error(acc, 0.4, 0.3), random_walk_rms_error(to, 0.4, 0.3), 0.02);
}
