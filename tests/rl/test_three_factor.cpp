#include <engram/rl/t_maze_continual_experiment.h>
#include <engram/rl/three_factor_linear.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using namespace engram::rl;

TEST(ThreeFactorLinear, EligibilityBecomesWeightChangeOnlyWithTheModulator) {
  ThreeFactorLinear layer(ThreeFactorLinearOptions(3, 2).eta(0.5).trace_decay(0.5).clip(0));
  const at::Tensor pre = at::tensor({1.0f, 0.0f, 2.0f});
  const at::Tensor post = at::tensor({0.0f, 1.0f});
  layer->accumulate(pre, post);
  EXPECT_EQ(layer->plastic.abs().sum().item<float>(), 0.0f); // no third factor, no change
  layer->accumulate(pre, post);                              // E = 1.5 post (x) pre
  layer->modulate(-2.0);                                     // H = 0.5 * -2 * E
  EXPECT_FLOAT_EQ(layer->plastic[1][0].item<float>(), -1.5f);
  EXPECT_FLOAT_EQ(layer->plastic[1][2].item<float>(), -3.0f);
  EXPECT_FLOAT_EQ(layer->plastic[0][0].item<float>(), 0.0f);
  // The fast weights act in the forward pass.
  const at::Tensor y0 = layer->forward(pre);
  at::Tensor expected = at::matmul(layer->weight + layer->plastic, pre) + layer->bias;
  EXPECT_TRUE(at::allclose(y0, expected));
}

TEST(ThreeFactorLinear, NeuromodulatedAgentReAdaptsFasterThanTheSameNetworkWithoutPlasticity) {
  TMazeContinualExperiment ex;
  ex.blocks = 6;
  ex.seed = 100;
  const auto plastic = run_t_maze_continual(ex, NeuromodulatedActorCriticOptions(1, 3));
  const auto fixed =
      run_t_maze_continual(ex, NeuromodulatedActorCriticOptions(1, 3).plastic(false));
  EXPECT_LT(plastic.mean_episodes_to_recover(), fixed.mean_episodes_to_recover());
}
