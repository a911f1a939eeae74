// PlasticLinear: the trace update on each forward, modulation, gradients through the episode.
#include <support/error_message.h>

#include <engram/layers/plastic/plastic_linear.h>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <sstream>

namespace {

using namespace engram::layers;

TEST(PlasticLinear, ForwardUsesTheTraceThenUpdatesIt) {
  torch::manual_seed(0);
  PlasticLinear layer(PlasticLinearOptions(3, 2).alpha_init(0.5).eta(0.2));
  layer->to(torch::kDouble);
  layer->reset_state(2);
  const auto x1 = torch::randn({2, 3}, torch::kDouble);
  const auto y1 = layer(x1);
  EXPECT_TRUE(torch::allclose(y1, torch::tanh(torch::matmul(x1, layer->weight.t()) + layer->bias)));
  const auto h1 = 0.2 * torch::bmm(x1.unsqueeze(2), y1.unsqueeze(1));
  EXPECT_TRUE(torch::allclose(layer->trace(), h1));
  const auto x2 = torch::randn({2, 3}, torch::kDouble);
  const auto y2 = layer(x2);
  const auto eff = layer->weight.t() + 0.5 * h1; // [in, out], the trace's layout
  EXPECT_TRUE(
      torch::allclose(y2, torch::tanh(torch::bmm(x2.unsqueeze(1), eff).squeeze(1) + layer->bias)));
}

TEST(PlasticLinear, ModulationScalesTheUpdate) {
  torch::manual_seed(1);
  PlasticLinear layer(PlasticLinearOptions(3, 2)
                          .alpha_shape(AlphaShape::kPerNeuron)
                          .modulation(Modulation::kSimple));
  layer->reset_state(2);
  layer(torch::randn({2, 3}), torch::zeros({2}));
  EXPECT_EQ(layer->trace().abs().max().item<double>(), 0.0);
  layer(torch::randn({2, 3}), torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}));
  EXPECT_EQ(layer->trace()[0].select(1, 1).abs().max().item<double>(), 0.0);
  EXPECT_GT(layer->trace()[0].select(1, 0).abs().max().item<double>(), 0.0);
}

TEST(PlasticLinear, GradientsFlowThroughTheEpisode) {
  torch::manual_seed(2);
  PlasticLinear layer(PlasticLinearOptions(4, 3).rule(HebbianRule::kOja).alpha_init(0.3));
  layer->reset_state(2);
  torch::Tensor loss = torch::zeros({});
  for (int t = 0; t < 3; ++t) {
    loss = loss + layer(torch::randn({2, 4})).square().sum();
  }
  loss.backward();
  // alpha and eta only matter through the trace built by earlier forwards.
  EXPECT_GT(layer->alpha.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(layer->eta.grad().abs().item<double>(), 0.0);
}

TEST(PlasticLinear, RetroactiveModulationGatesTheEligibilityIntoTheTrace) {
  torch::manual_seed(3);
  PlasticLinear layer(PlasticLinearOptions(3, 2)
                          .activation(Activation::kNone)
                          .alpha_shape(AlphaShape::kScalar)
                          .alpha_init(1.0)
                          .eta(0.5)
                          .learn_eta(false)
                          .modulation(Modulation::kRetroactive));
  layer->to(torch::kDouble);
  layer->reset_state(1);
  const auto x = torch::tensor({{1.0, 0.0, 2.0}}, torch::kDouble);
  const auto action = torch::tensor({{0.0, 1.0}}, torch::kDouble);
  // No third factor: coincidences only leave an eligibility, the weights stay.
  layer(x, std::nullopt, action);
  EXPECT_EQ(layer->trace().abs().max().item<double>(), 0.0);
  const auto e1 = 0.5 * torch::bmm(x.unsqueeze(2), action.unsqueeze(1));
  EXPECT_TRUE(torch::allclose(layer->eligibility(), e1));
  // The modulator converts E (this step's coincidence included) into H.
  const auto y = layer(x, torch::tensor({-2.0}, torch::kDouble), action);
  const auto e2 = 0.5 * e1 + 0.5 * torch::bmm(x.unsqueeze(2), action.unsqueeze(1));
  EXPECT_TRUE(torch::allclose(layer->eligibility(), e2));
  EXPECT_TRUE(torch::allclose(layer->trace(), -2.0 * e2));
  EXPECT_DOUBLE_EQ(layer->trace()[0][2][1].item<double>(), -3.0); // -2 * (0.25 + 0.5) * 2
  EXPECT_DOUBLE_EQ(layer->trace()[0][0][0].item<double>(), 0.0);  // the unchosen output
  // y was computed before the update; respond sees the new weights and changes nothing.
  EXPECT_TRUE(torch::allclose(y, torch::matmul(x, layer->weight.t()) + layer->bias));
  const auto h = layer->trace().clone();
  EXPECT_TRUE(
      torch::allclose(layer->respond(x), torch::matmul(x, layer->weight.t() + h[0]) + layer->bias));
  EXPECT_TRUE(torch::equal(layer->trace(), h));
  // A new trial forgets the eligibility, not the fast weights.
  layer->reset_eligibility();
  EXPECT_EQ(layer->eligibility().abs().max().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(layer->trace(), h));
  // Per-unit modulation gates each output's column.
  layer(x, torch::tensor({{1.0, 0.0}}, torch::kDouble),
        torch::tensor({{1.0, 1.0}}, torch::kDouble));
  EXPECT_DOUBLE_EQ(layer->trace()[0][2][0].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(layer->trace()[0][2][1].item<double>(), -3.0);
}

TEST(PlasticLinear, RetroactiveErrorsAreNamed) {
  PlasticLinear simple(PlasticLinearOptions(3, 2).modulation(Modulation::kSimple));
  simple->reset_state(1);
  EXPECT_ERROR_MENTIONS(simple(torch::randn({1, 3}), std::nullopt, torch::ones({1, 2})),
                        "argument 'post'");
  EXPECT_ERROR_MENTIONS(simple->reset_eligibility(), "retroactive");
  PlasticLinear none(PlasticLinearOptions(3, 2).modulation(Modulation::kNone));
  none->reset_state(1);
  EXPECT_ERROR_MENTIONS(none(torch::randn({1, 3}), torch::ones({1})), "'modulation'");
  PlasticLinear retro(PlasticLinearOptions(3, 2).modulation(Modulation::kRetroactive));
  retro->reset_state(1);
  EXPECT_ERROR_MENTIONS(retro(torch::randn({1, 3}), torch::ones({1}), torch::ones({1, 3})),
                        "argument 'post' expected shape [1, 2]");
}

TEST(PlasticLinear, ErrorsAreNamed) {
  PlasticLinear layer(PlasticLinearOptions(3, 2));
  EXPECT_ERROR_MENTIONS(layer(torch::randn({2, 3})), "reset_state");
  layer->reset_state(2);
  EXPECT_ERROR_MENTIONS(layer(torch::randn({3, 3})), "argument 'x' expected shape [2, 3]");
  EXPECT_ERROR_MENTIONS(layer(torch::randn({2, 3}), torch::ones({3})), "argument 'modulation'");
  EXPECT_ERROR_MENTIONS(layer->reset_state(0), "batch_size");
  EXPECT_ERROR_MENTIONS(PlasticLinear(PlasticLinearOptions(3, 2).eta(2)), "eta");
  std::ostringstream text;
  text << *layer;
  EXPECT_EQ(text.str(), "engram::PlasticLinear(in_features=3, out_features=2, rule=hebb, "
                        "alpha=per_connection, eta=0.1 (learned), bias=1, "
                        "modulation=none)");
}

} // namespace
