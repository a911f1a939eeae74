#include <engram/rl/agents/epsilon_greedy_bandit.h>
#include <engram/rl/agents/q_learning.h>
#include <engram/rl/agents/sarsa_lambda.h>
#include <engram/rl/agents/tabular_actor_critic.h>
#include <engram/rl/agents/td_lambda.h>
#include <engram/rl/agents/true_online_td_lambda.h>
#include <engram/rl/environments/bandit.h>
#include <engram/rl/environments/gridworld.h>

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

GridworldOptions maze() {
  // 6x5 grid with a wall the agent must go around; 100-step time limit.
  GridworldOptions o;
  o.width = 6;
  o.height = 5;
  o.start = 0;
  o.goal = 5;
  o.walls = {2, 8, 14, 20};
  o.max_steps = 100;
  return o;
}

// Trains SARSA(lambda) and returns the return of every episode.
std::vector<double> train_sarsa(TraceKind trace, uint64_t seed, int episodes, SarsaLambda** out,
                                std::unique_ptr<SarsaLambda>& holder) {
  Gridworld env(maze(), seed);
  holder = std::make_unique<SarsaLambda>(
      SarsaLambdaOptions(30, 4).alpha(0.2).gamma(0.95).lambda(0.8).epsilon(0.1).trace(trace).seed(
          seed));
  SarsaLambda& agent = *holder;
  if (out)
    *out = holder.get();
  std::vector<double> returns;
  for (int e = 0; e < episodes; ++e) {
    agent.begin_episode();
    int64_t s = state_of(env.reset());
    int64_t a = agent.select_action(s);
    double g = 0;
    for (;;) {
      const StepResult r = env.step(a);
      const int64_t s2 = state_of(r.observation);
      const int64_t a2 = agent.select_action(s2);
      agent.update(s, a, r.reward, s2, a2, r.terminated);
      g += r.reward;
      s = s2;
      a = a2;
      if (r.done())
        break;
    }
    returns.push_back(g);
  }
  return returns;
}

template <typename Greedy>
int64_t greedy_path_length(Gridworld& env, Greedy&& greedy) {
  int64_t s = state_of(env.reset());
  for (int64_t t = 1; t <= 100; ++t) {
    const StepResult r = env.step(greedy(s));
    if (r.terminated)
      return t;
    if (r.done())
      break;
    s = state_of(r.observation);
  }
  return -1;
}

} // namespace

TEST(RlControl, SarsaLambdaFindsTheShortestPathWithEveryTrace) {
  Gridworld env(maze(), 0);
  const int64_t shortest = env.shortest_path_length();
  ASSERT_EQ(shortest, 13);
  for (const auto trace : {TraceKind::kAccumulating, TraceKind::kReplacing, TraceKind::kDutch}) {
    std::unique_ptr<SarsaLambda> holder;
    SarsaLambda* agent = nullptr;
    train_sarsa(trace, 3, 600, &agent, holder);
    EXPECT_EQ(greedy_path_length(env, [&](int64_t s) { return agent->greedy_action(s); }), shortest)
        << to_string(trace);
  }
}

TEST(RlControl, QLearningFindsTheShortestPath) {
  Gridworld env(maze(), 1);
  QLearning agent(QLearningOptions(30, 4).alpha(0.5).gamma(0.95).epsilon(0.2).seed(1));
  for (int e = 0; e < 400; ++e) {
    int64_t s = state_of(env.reset());
    for (;;) {
      const int64_t a = agent.select_action(s);
      const StepResult r = env.step(a);
      const int64_t s2 = state_of(r.observation);
      const double delta = agent.update(s, a, r.reward, s2, r.terminated);
      EXPECT_EQ(delta, agent.last_delta());
      s = s2;
      if (r.done())
        break;
    }
  }
  EXPECT_EQ(greedy_path_length(env, [&](int64_t s) { return agent.greedy_action(s); }),
            env.shortest_path_length());
  // Off-policy target: the greedy value of the last step is the goal reward.
  EXPECT_NEAR(agent.q(4, Gridworld::kRight), 1.0, 0.05); // cell 4 is left of the goal
}

TEST(RlControl, TabularActorCriticLearnsToReachTheGoal) {
  Gridworld env(maze(), 2);
  TabularActorCritic agent(TabularActorCriticOptions(30, 4)
                               .alpha_critic(0.2)
                               .alpha_actor(0.5)
                               .gamma(0.95)
                               .lambda_critic(0.7)
                               .lambda_actor(0.7)
                               .seed(2));
  std::vector<double> lengths;
  for (int e = 0; e < 600; ++e) {
    agent.begin_episode();
    int64_t s = state_of(env.reset());
    int64_t t = 0;
    for (;;) {
      const int64_t a = agent.select_action(s);
      const StepResult r = env.step(a);
      const int64_t s2 = state_of(r.observation);
      agent.update(s, a, r.reward, s2, r.terminated);
      s = s2;
      ++t;
      if (r.done())
        break;
    }
    lengths.push_back(static_cast<double>(t));
  }
  const double early = std::accumulate(lengths.begin(), lengths.begin() + 20, 0.0) / 20;
  const double late = std::accumulate(lengths.end() - 50, lengths.end(), 0.0) / 50;
  EXPECT_GT(early, 40.0);
  EXPECT_LT(late, 1.3 * 13);
  // The critic's value of the start state approaches gamma^(13-1).
  EXPECT_NEAR(agent.value(0), std::pow(0.95, 12), 0.1);
}

TEST(RlControl, DeltaDrivenLearnerTracksADriftingBanditBetterThanSampleAverages) {
  // Sutton & Barto Exercise 2.5: on a drifting bandit, sample averages go stale; the delta-driven
  // actor-critic (gradient bandit with a learned baseline) and constant-step estimates keep up.
  const int runs = 20, steps = 5000; // drift 0.01 as in the book's exercise
  double regret_avg = 0, regret_const = 0, regret_delta = 0;
  for (int run = 0; run < runs; ++run) {
    for (int learner = 0; learner < 3; ++learner) {
      Bandit env(BanditOptions{10, 1.0, 1.0, 0.01, 0}, 100 + run);
      env.reset();
      EpsilonGreedyBandit eg({10, 0.1, learner == 1 ? 0.1 : 0.0, 0.0, 7ULL + run});
      TabularActorCritic ac(
          TabularActorCriticOptions(1, 10).alpha_critic(0.1).alpha_actor(0.1).gamma(0.0).seed(7 +
                                                                                              run));
      double regret = 0;
      for (int t = 0; t < steps; ++t) {
        const int64_t a = learner == 2 ? ac.select_action(0) : eg.select_action();
        regret += env.optimal_mean() - env.means()[a];
        const StepResult r = env.step(a);
        if (learner == 2) {
          ac.update(0, a, r.reward, 0, true);
        } else {
          eg.update(a, r.reward);
        }
      }
      (learner == 0 ? regret_avg : learner == 1 ? regret_const : regret_delta) += regret / runs;
    }
  }
  EXPECT_LT(regret_delta, 0.8 * regret_avg);
}

TEST(RlControl, SeededRunsAreIdentical) {
  std::unique_ptr<SarsaLambda> h1, h2, h3;
  const auto a = train_sarsa(TraceKind::kReplacing, 9, 50, nullptr, h1);
  const auto b = train_sarsa(TraceKind::kReplacing, 9, 50, nullptr, h2);
  const auto c = train_sarsa(TraceKind::kReplacing, 10, 50, nullptr, h3);
  EXPECT_EQ(a, b);
  EXPECT_EQ(h1->q_table(), h2->q_table());
  EXPECT_NE(a, c);
}

TEST(RlControl, OutOfRangeHyperparametersAreNamedErrors) {
  EXPECT_THAT(error_of([] { LinearTDLambda td(TDLambdaOptions(3).gamma(1.5)); }),
              HasSubstr("argument 'gamma' expected in [0, 1], got 1.5"));
  EXPECT_THAT(error_of([] { LinearTDLambda td(TDLambdaOptions(3).lambda(-0.1)); }),
              HasSubstr("argument 'lambda' expected in [0, 1], got -0.1"));
  EXPECT_THAT(error_of([] { TrueOnlineTDLambda td(TDLambdaOptions(3).lambda(2)); }),
              HasSubstr("argument 'lambda'"));
  EXPECT_THAT(error_of([] { LinearTDLambda td(TDLambdaOptions(3).alpha(0)); }),
              HasSubstr("argument 'alpha' expected > 0"));
  EXPECT_THAT(error_of([] { SarsaLambda s(SarsaLambdaOptions(3, 2).gamma(-1)); }),
              HasSubstr("SarsaLambda: argument 'gamma'"));
  EXPECT_THAT(error_of([] { SarsaLambda s(SarsaLambdaOptions(3, 2).lambda(1.01)); }),
              HasSubstr("SarsaLambda: argument 'lambda'"));
  EXPECT_THAT(error_of([] { QLearning q(QLearningOptions(3, 2).gamma(2)); }),
              HasSubstr("QLearning: argument 'gamma'"));
  EXPECT_THAT(
      error_of([] { TabularActorCritic ac(TabularActorCriticOptions(3, 2).lambda_actor(-1)); }),
      HasSubstr("argument 'lambda_actor'"));
  LinearTDLambda td(TDLambdaOptions(3));
  EXPECT_THAT(error_of([&] {
                td.update({1, 0}, 0, {0, 1, 0}, false);
              }),
              HasSubstr("argument 'x' expected 3 features, got 2"));
  QLearning q(QLearningOptions(3, 2));
  EXPECT_THAT(error_of([&] { q.update(0, 2, 0, 1, false); }),
              HasSubstr("argument 'action' expected in [0, 2), got 2"));
}
