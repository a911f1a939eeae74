// Three-factor learning in an actor-critic: delta, broadcast as the modulation of the actor's
// PlasticLinear, turns Hebbian eligibility into fast weights; continual T-maze re-adaptation.
#include <rl_continual_tmaze/t_maze_continual_experiment.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using namespace engram::rl;

TEST(NeuromodulatedActorCritic, DeltaGatesTheChosenActionsEligibilityIntoTheFastWeights) {
  NeuromodulatedActorCritic agent(NeuromodulatedActorCriticOptions(2, 3).eta(0.5).seed(1));
  // Terminal reward 1 from V = 0: delta = 1, m = 0.5, E = onehot(state 1) (x) onehot(action 2).
  const double delta = agent.update(1, 2, 1.0, 0, true);
  EXPECT_DOUBLE_EQ(delta, 1.0);
  const at::Tensor h = agent.actor()->trace()[0];
  EXPECT_FLOAT_EQ(h[1][2].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(h.abs().sum().item<float>(), 0.5f);
  // The fast weight acts on the policy: action 2 is now preferred in state 1, not in state 0.
  EXPECT_GT(agent.policy(1)[2], agent.policy(1)[0] + 0.1);
  EXPECT_NEAR(agent.policy(0)[2], 1.0 / 3.0, 0.05);
}

TEST(NeuromodulatedActorCritic, LearnsTheMazeFromRewardAloneThroughThePlasticWeights) {
  // Slow weights frozen in effect (learning rate 1e-9): only delta-gated plasticity can learn.
  TMazeContinualExperiment ex;
  ex.blocks = 2;
  ex.episodes_per_block = 30;
  ex.seed = 7;
  const auto options = NeuromodulatedActorCriticOptions(1, 3).learning_rate(1e-9);
  const auto plastic = run_t_maze_continual(ex, options);
  const auto frozen =
      run_t_maze_continual(ex, NeuromodulatedActorCriticOptions(options).plastic(false));
  auto last_rewarded = [](const TMazeContinualResult& r) {
    int n = 0;
    for (size_t e = r.rewarded.size() - 10; e < r.rewarded.size(); ++e)
      n += r.rewarded[e];
    return n;
  };
  EXPECT_GE(last_rewarded(plastic), 9);
  EXPECT_LE(last_rewarded(frozen), 7);
}

TEST(NeuromodulatedActorCritic, ReAdaptsWithinAFewEpisodesAndFasterThanTheSameNetworkWithout) {
  TMazeContinualExperiment ex;
  ex.blocks = 6;
  ex.seed = 100;
  const auto plastic = run_t_maze_continual(ex, NeuromodulatedActorCriticOptions(1, 3));
  const auto fixed =
      run_t_maze_continual(ex, NeuromodulatedActorCriticOptions(1, 3).plastic(false));
  EXPECT_LE(plastic.mean_episodes_to_recover(), 5.0);
  EXPECT_LT(2.0 * plastic.mean_episodes_to_recover(), fixed.mean_episodes_to_recover());
}

TEST(NeuromodulatedActorCritic, BadOptionsAreNamed) {
  EXPECT_THROW(NeuromodulatedActorCritic(NeuromodulatedActorCriticOptions(2, 3).eta(-1)),
               c10::Error);
  EXPECT_THROW(NeuromodulatedActorCritic(NeuromodulatedActorCriticOptions(2, 3).clip(0)),
               c10::Error);
  EXPECT_THROW(
      NeuromodulatedActorCritic(NeuromodulatedActorCriticOptions(2, 3).gamma(1).trace_decay(1)),
      c10::Error);
}
