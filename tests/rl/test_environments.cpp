#include <engram/rl/environments/bandit.h>
#include <engram/rl/environments/cart_pole.h>
#include <engram/rl/environments/gridworld.h>
#include <engram/rl/environments/pavlovian_conditioning.h>
#include <engram/rl/environments/random_walk.h>
#include <engram/rl/environments/t_maze.h>

#include <c10/util/Exception.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <support/error_message.h>

#include <cmath>
#include <memory>
#include <numeric>

using namespace engram::rl;
using engram::testing::error_of;
using ::testing::HasSubstr;

namespace {

std::vector<std::unique_ptr<Environment>> all_environments(uint64_t seed) {
  std::vector<std::unique_ptr<Environment>> envs;
  envs.push_back(std::make_unique<RandomWalk>(RandomWalkOptions{}, seed));
  envs.push_back(std::make_unique<Gridworld>(GridworldOptions{}, seed));
  envs.push_back(std::make_unique<TMaze>(TMazeOptions{}, seed));
  envs.push_back(std::make_unique<Bandit>(BanditOptions{10, 1.0, 1.0, 0.01, 20}, seed));
  envs.push_back(std::make_unique<CartPole>(CartPoleOptions{}, seed));
  envs.push_back(std::make_unique<PavlovianConditioning>(PavlovianConditioningOptions{}, seed));
  return envs;
}

// Plays `episodes` episodes with a seeded random policy; returns every reward seen.
std::vector<double> play(Environment& env, int episodes, uint64_t policy_seed) {
  std::mt19937_64 rng(policy_seed);
  std::vector<double> rewards;
  const int64_t n = env.action_space().n;
  for (int e = 0; e < episodes; ++e) {
    Observation obs = env.reset();
    EXPECT_TRUE(env.observation_space().contains(obs)) << env.name();
    for (int t = 0; t < 1000; ++t) {
      const StepResult r = env.step(std::uniform_int_distribution<int64_t>(0, n - 1)(rng));
      rewards.push_back(r.reward);
      if (r.done())
        break;
    }
  }
  return rewards;
}

} // namespace

TEST(RlEnvironments, ObservationsStayInTheirSpacesAndSeedsReproduceEpisodes) {
  auto a = all_environments(7);
  auto b = all_environments(7);
  for (size_t i = 0; i < a.size(); ++i) {
    const auto ra = play(*a[i], 3, 11);
    const auto rb = play(*b[i], 3, 11);
    EXPECT_EQ(ra, rb) << a[i]->name();
    EXPECT_FALSE(ra.empty());
  }
}

TEST(RlEnvironments, BadActionsAndStepAfterDoneAreNamedErrors) {
  for (auto& env : all_environments(1)) {
    EXPECT_THAT(error_of([&] { env->step(0); }), HasSubstr("call reset() first")) << env->name();
    env->reset();
    const int64_t n = env->action_space().n;
    EXPECT_THAT(error_of([&] { env->step(n); }), HasSubstr("argument 'action' expected in"))
        << env->name();
    EXPECT_THAT(error_of([&] { env->step(-1); }), HasSubstr("got -1")) << env->name();
  }
  RandomWalk walk({}, 3);
  walk.reset();
  while (!walk.step(0).done()) {
  }
  EXPECT_THAT(error_of([&] { walk.step(0); }), HasSubstr("step after done"));
}

TEST(RlEnvironments, RandomWalkTrueValuesAndTerminalRewards) {
  RandomWalk env({}, 0);
  const auto v = env.true_values();
  ASSERT_EQ(v.size(), 21u);
  EXPECT_DOUBLE_EQ(v[0], 0.0);
  EXPECT_NEAR(v[1], -0.9, 1e-12);
  EXPECT_NEAR(v[10], 0.0, 1e-12);
  EXPECT_NEAR(v[19], 0.9, 1e-12);
  EXPECT_EQ(state_of(env.reset()), 10);
  // Monte-Carlo check of the start state's value and the exit rewards.
  double sum = 0;
  const int n = 2000;
  for (int e = 0; e < n; ++e) {
    env.reset();
    StepResult r;
    do {
      r = env.step(0);
    } while (!r.done());
    EXPECT_TRUE(r.terminated);
    EXPECT_TRUE(state_of(r.observation) == 0 || state_of(r.observation) == 20);
    sum += r.reward;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.08);
}

TEST(RlEnvironments, CartPoleFollowsTheClassicDynamicsAndTerminationRules) {
  CartPole env({}, 0);
  const Observation obs = env.reset();
  for (const double v : obs)
    EXPECT_LE(std::abs(v), 0.05);
  // One step from rest pushing right: the cart accelerates right, the pole falls left.
  env.set_state({0.0, 0.0, 0.0, 0.0});
  StepResult r = env.step(1);
  // x_acc = F/M_total - ml theta_acc / M_total with theta_acc = -F/M / (l (4/3 - m/M)).
  const double theta_acc = -(10.0 / 1.1) / (0.5 * (4.0 / 3.0 - 0.1 / 1.1));
  const double x_acc = 10.0 / 1.1 - 0.05 * theta_acc / 1.1;
  EXPECT_DOUBLE_EQ(r.observation[0], 0.0); // Euler: position moves with the old velocity
  EXPECT_NEAR(r.observation[1], 0.02 * x_acc, 1e-12);
  EXPECT_NEAR(r.observation[3], 0.02 * theta_acc, 1e-12);
  EXPECT_EQ(r.reward, 1.0);
  EXPECT_FALSE(r.done());
  // Pole beyond 12 degrees terminates.
  env.set_state({0.0, 0.0, 0.2094, 1.0});
  r = env.step(0);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0);
  // Cart beyond 2.4 terminates.
  env.reset();
  env.set_state({2.399, 1.0, 0.0, 0.0});
  EXPECT_TRUE(env.step(1).terminated);
  // Time limit truncates rather than terminates.
  CartPole short_env(CartPoleOptions{3}, 0);
  short_env.reset();
  EXPECT_FALSE(short_env.step(0).done());
  EXPECT_FALSE(short_env.step(1).done());
  r = short_env.step(0);
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(r.terminated);
}

TEST(RlEnvironments, GridworldMovesBumpsAndMovableGoal) {
  GridworldOptions o;
  o.width = 3;
  o.height = 3;
  o.start = 0;
  o.goal = 8;
  o.walls = {4};
  o.step_reward = -1.0;
  Gridworld env(o, 0);
  EXPECT_EQ(env.shortest_path_length(), 4);
  env.reset();
  EXPECT_EQ(state_of(env.step(Gridworld::kUp).observation), 0); // border
  EXPECT_EQ(state_of(env.step(Gridworld::kRight).observation), 1);
  EXPECT_EQ(state_of(env.step(Gridworld::kDown).observation), 1); // wall at 4
  env.set_goal(2);
  const StepResult r = env.step(Gridworld::kRight);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0);
  EXPECT_THAT(error_of([&] { env.set_goal(4); }), HasSubstr("wall"));
  EXPECT_THAT(error_of([&] { env.set_goal(9); }), HasSubstr("argument 'cell'"));
}

TEST(RlEnvironments, TMazeRewardsTheCurrentSideAndSwitches) {
  TMaze env({}, 0);
  auto run_to = [&](int64_t side_action) {
    env.reset();
    env.step(TMaze::kLeft); // bumps in the corridor
    EXPECT_EQ(env.position(), 0);
    env.step(TMaze::kForward);
    env.step(TMaze::kForward);
    EXPECT_EQ(env.position(), env.junction());
    return env.step(side_action);
  };
  StepResult r = run_to(TMaze::kLeft);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0);
  EXPECT_EQ(state_of(r.observation), env.arm_end(MazeSide::kLeft));
  EXPECT_EQ(run_to(TMaze::kRight).reward, 0.0);
  env.switch_reward_side();
  EXPECT_EQ(run_to(TMaze::kRight).reward, 1.0);
  EXPECT_EQ(env.chosen_side(), MazeSide::kRight);
}

TEST(RlEnvironments, BanditMeansDriftOnlyWhenAsked) {
  Bandit fixed(BanditOptions{5, 1.0, 1.0, 0.0, 0}, 3);
  Bandit drifting(BanditOptions{5, 1.0, 1.0, 0.1, 0}, 3);
  fixed.reset();
  drifting.reset();
  const auto m0 = fixed.means();
  EXPECT_EQ(m0, drifting.means());
  for (int t = 0; t < 100; ++t) {
    fixed.step(t % 5);
    drifting.step(t % 5);
  }
  EXPECT_EQ(fixed.means(), m0);
  double moved = 0;
  for (int a = 0; a < 5; ++a)
    moved += std::abs(drifting.means()[a] - m0[a]);
  EXPECT_GT(moved / 5, 0.3); // ~ 0.1 * sqrt(100) * sqrt(2/pi) = 0.8 per arm
  EXPECT_EQ(fixed.optimal_mean(), m0[fixed.optimal_arm()]);
}

TEST(RlEnvironments, PavlovianTrialDeliversCueThenRewardOrOmission) {
  PavlovianConditioningOptions o;
  o.trial_length = 10;
  o.cue_time = 2;
  o.reward_time = 6;
  PavlovianConditioning env(o, 0);
  Observation x = env.reset();
  EXPECT_EQ(x.size(), 9u);
  double total = 0;
  for (int64_t t = 1; t <= 10; ++t) {
    const StepResult r = env.step(0);
    const double cue_sum = std::accumulate(r.observation.begin(), r.observation.end(), 0.0);
    EXPECT_EQ(cue_sum, t >= 2 ? 1.0 : 0.0) << t;
    if (t >= 2) {
      EXPECT_EQ(r.observation[t - 2], 1.0);
    }
    EXPECT_EQ(r.reward, t == 6 ? 1.0 : 0.0) << t;
    EXPECT_EQ(r.terminated, t == 10);
    total += r.reward;
  }
  env.omit_next_reward();
  env.reset();
  EXPECT_TRUE(env.reward_omitted());
  for (int t = 0; t < 10; ++t)
    total += env.step(0).reward;
  EXPECT_EQ(total, 1.0);
  o.reward_time = 1;
  EXPECT_THAT(error_of([&] { PavlovianConditioning bad(o, 0); }), HasSubstr("cue_time"));
}
