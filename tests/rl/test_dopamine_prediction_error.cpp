// Schultz, Dayan & Montague (1997): the TD error of a learner that sees a cue followed by a reward
// behaves like the firing of midbrain dopamine neurons. Before learning it bursts at the reward;
// with learning the burst moves to the cue and vanishes at the (now predicted) reward; when the
// expected reward is omitted it dips below baseline exactly at the time the reward was due.
#include <engram/rl/agents/td_lambda.h>
#include <rl_dopamine/conditioning_experiment.h>

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

using namespace engram::rl;

namespace {

double mean(const std::vector<double>& v, size_t from, size_t to) {
  return std::accumulate(v.begin() + from, v.begin() + to, 0.0) / static_cast<double>(to - from);
}

} // namespace

TEST(DopaminePredictionError, MovesFromRewardToCueAndDipsOnOmission) {
  PavlovianConditioningOptions o; // cue at t=5, reward at t=15, 25 steps per trial
  PavlovianConditioning env(o, 1);
  const auto dim = env.observation_space().size();
  LinearTDLambda td(TDLambdaOptions(dim).alpha(0.2).gamma(1.0).lambda(0.0));

  const int trials = 300;
  std::vector<double> at_cue, at_reward;
  std::vector<double> last;
  for (int k = 0; k < trials; ++k) {
    last = run_conditioning_trial(env, td);
    at_cue.push_back(last[o.cue_time]);
    at_reward.push_back(last[o.reward_time]);
  }
  // Naive animal: the reward is a full surprise, the cue predicts nothing yet.
  EXPECT_NEAR(at_reward.front(), 1.0, 1e-12);
  EXPECT_NEAR(at_cue.front(), 0.0, 1e-12);
  // Over trials: delta at reward falls toward 0, delta at cue rises toward the reward's value.
  EXPECT_GT(mean(at_reward, 0, 10), mean(at_reward, 40, 50));
  EXPECT_GT(mean(at_reward, 40, 50), mean(at_reward, trials - 10, trials));
  EXPECT_LT(std::abs(at_reward.back()), 0.02);
  EXPECT_LT(mean(at_cue, 0, 10), mean(at_cue, 40, 50));
  EXPECT_LT(mean(at_cue, 40, 50), mean(at_cue, trials - 10, trials) + 1e-9);
  EXPECT_GT(at_cue.back(), 0.95);
  // A trained animal: no response before the (unpredictable) cue, nor between cue and reward.
  for (int64_t t = 1; t < o.cue_time; ++t)
    EXPECT_NEAR(last[t], 0.0, 1e-12);
  for (int64_t t = o.cue_time + 1; t < o.trial_length; ++t)
    EXPECT_NEAR(last[t], 0.0, 0.02) << t;

  // Omission probe: the dip is negative and at the time the reward was due, not elsewhere.
  env.omit_next_reward();
  const std::vector<double> probe = run_conditioning_trial(env, td);
  EXPECT_LT(probe[o.reward_time], -0.95);
  EXPECT_GT(probe[o.cue_time], 0.95);
  for (int64_t t = o.reward_time + 1; t <= o.trial_length; ++t)
    EXPECT_NEAR(probe[t], 0.0, 0.02);
}

TEST(DopaminePredictionError, PartialReinforcementGivesGradedResponses) {
  // Fiorillo, Tobler & Schultz (2003): with reward probability p, the cue response scales with p
  // and the reward response with 1 - p. TD reproduces both in expectation.
  for (const double p : {0.25, 0.75}) {
    PavlovianConditioningOptions o;
    o.omission_probability = 1.0 - p;
    PavlovianConditioning env(o, 5);
    LinearTDLambda td(TDLambdaOptions(env.observation_space().size()).alpha(0.02).lambda(0.0));
    double cue = 0, reward = 0;
    int rewarded = 0;
    for (int k = 0; k < 6000; ++k) {
      const std::vector<double> d = run_conditioning_trial(env, td);
      if (k >= 4000) {
        cue += d[o.cue_time];
        if (!env.reward_omitted()) {
          reward += d[o.reward_time];
          ++rewarded;
        }
      }
    }
    EXPECT_NEAR(cue / 2000, p, 0.07) << p;
    EXPECT_NEAR(reward / rewarded, 1.0 - p, 0.07) << p;
  }
}
