// PlasticLinear: the trace update on each forward, modulation, gradients through the episode.
#include "hebbian/expect_error.h"

#include <engram/layers/plastic/plastic_linear.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

namespace {

using namespace engram::layers;

TEST(PlasticLinear, ForwardUsesTheTraceThenUpdatesIt) {
  torch::manual_seed(0);
  PlasticLinear layer(PlasticLinearOptions(3, 2).alpha_init(0.5).eta(0.2));
  layer->to(torch::kDouble);
  layer->reset_trace(2);
  const auto x1 = torch::randn({2, 3}, torch::kDouble);
  const auto y1 = layer(x1);
  EXPECT_TRUE(torch::allclose(y1, torch::tanh(torch::matmul(x1, layer->weight) + layer->bias)));
  const auto h1 = 0.2 * torch::bmm(x1.unsqueeze(2), y1.unsqueeze(1));
  EXPECT_TRUE(torch::allclose(layer->trace(), h1));
  const auto x2 = torch::randn({2, 3}, torch::kDouble);
  const auto y2 = layer(x2);
  const auto eff = layer->weight + 0.5 * h1;
  EXPECT_TRUE(
      torch::allclose(y2, torch::tanh(torch::bmm(x2.unsqueeze(1), eff).squeeze(1) + layer->bias)));
}

TEST(PlasticLinear, ModulationScalesTheUpdate) {
  torch::manual_seed(1);
  PlasticLinear layer(PlasticLinearOptions(3, 2).alpha_shape(AlphaShape::kPerNeuron));
  layer->reset_trace(2);
  layer(torch::randn({2, 3}), torch::zeros({2}));
  EXPECT_EQ(layer->trace().abs().max().item<double>(), 0.0);
  layer(torch::randn({2, 3}), torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}));
  EXPECT_EQ(layer->trace()[0].select(1, 1).abs().max().item<double>(), 0.0);
  EXPECT_GT(layer->trace()[0].select(1, 0).abs().max().item<double>(), 0.0);
}

TEST(PlasticLinear, GradientsFlowThroughTheEpisode) {
  torch::manual_seed(2);
  PlasticLinear layer(PlasticLinearOptions(4, 3).rule(PlasticityRule::kOja).alpha_init(0.3));
  layer->reset_trace(2);
  torch::Tensor loss = torch::zeros({});
  for (int t = 0; t < 3; ++t) {
    loss = loss + layer(torch::randn({2, 4})).square().sum();
  }
  loss.backward();
  // alpha and eta only matter through the trace built by earlier forwards.
  EXPECT_GT(layer->alpha.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(layer->eta.grad().abs().item<double>(), 0.0);
}

TEST(PlasticLinear, ErrorsAreNamed) {
  PlasticLinear layer(PlasticLinearOptions(3, 2));
  EXPECT_ERROR_MENTIONS(layer(torch::randn({2, 3})), "reset_trace");
  layer->reset_trace(2);
  EXPECT_ERROR_MENTIONS(layer(torch::randn({3, 3})), "argument 'x' expected shape [2, 3]");
  EXPECT_ERROR_MENTIONS(layer(torch::randn({2, 3}), torch::ones({3})), "argument 'modulation'");
  EXPECT_ERROR_MENTIONS(layer->reset_trace(0), "batch_size");
  EXPECT_ERROR_MENTIONS(PlasticLinear(PlasticLinearOptions(3, 2).eta(2)), "eta");
  std::ostringstream text;
  text << *layer;
  EXPECT_EQ(text.str(), "engram::PlasticLinear(in_features=3, out_features=2, rule=hebb, "
                        "alpha=per_connection, eta=0.1 (learned), bias=1)");
}

} // namespace
