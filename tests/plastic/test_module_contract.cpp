// PlasticLinear and PlasticRNN keep LibTorch's module contract: AnyModule and Sequential with
// their default arguments, clone(), save/load and to().
#include <support/module_contract.h>

#include <engram/layers/plastic/plastic_linear.h>
#include <engram/layers/plastic/plastic_rnn.h>

#include <gtest/gtest.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/functional.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>

namespace {

using namespace engram::layers;
using namespace engram::testing;

TEST(PlasticLinearContract, RunsInsideAnyModuleAndSequential) {
  torch::manual_seed(0);
  PlasticLinear layer(PlasticLinearOptions(5, 3).modulation(Modulation::kSimple));
  const auto x = torch::randn({4, 5});
  layer->reset_state(4);
  const auto direct = layer->respond(x);
  torch::nn::AnyModule any(layer);
  const auto via_any = any.forward(x); // modulation and post default to none
  EXPECT_TRUE(torch::allclose(via_any, direct));
  EXPECT_TRUE(torch::allclose(any.forward(x, std::optional<torch::Tensor>(torch::zeros({4}))),
                              layer->respond(x)));
  torch::nn::Sequential seq(layer, torch::nn::Functional(torch::relu));
  layer->reset_state(4);
  EXPECT_TRUE(torch::allclose(seq->forward(x), torch::relu(direct)));
}

TEST(PlasticLinearContract, CloneSaveLoadAndTo) {
  torch::manual_seed(1);
  PlasticLinear layer(
      PlasticLinearOptions(5, 3).learn_eta(false).alpha_shape(AlphaShape::kPerNeuron));
  auto copy = expect_deep_clone(layer, "PlasticLinear");
  {
    torch::NoGradGuard no_grad;
    copy->weight.add_(1.0);
  }
  EXPECT_FALSE(torch::equal(copy->weight, layer->weight));
  PlasticLinear fresh(
      PlasticLinearOptions(5, 3).learn_eta(false).alpha_shape(AlphaShape::kPerNeuron));
  expect_save_load(layer, fresh, "PlasticLinear");
  const auto x = torch::randn({2, 5});
  layer->reset_state(2);
  fresh->reset_state(2);
  EXPECT_TRUE(torch::equal(layer->forward(x), fresh->forward(x)));
  layer->to(torch::kFloat64);
  expect_moved_to(*layer, torch::kFloat64, "PlasticLinear");
  layer->reset_state(2);
  EXPECT_EQ(layer->forward(x.to(torch::kFloat64)).scalar_type(), torch::kFloat64);
  EXPECT_EQ(layer->weight.sizes(), (c10::IntArrayRef{3, 5})); // [out, in], as torch::nn::Linear
}

TEST(PlasticRNNContract, RunsInsideAnyModule) {
  torch::manual_seed(2);
  PlasticRNN rnn(PlasticRNNOptions(3, 4).modulation(Modulation::kRetroactive));
  const auto x = torch::randn({5, 2, 3});
  const auto direct = rnn->forward(x);
  torch::nn::AnyModule any(rnn);
  const auto via_any = any.forward<PlasticRNNOutput>(x); // state and modulation default
  EXPECT_TRUE(torch::allclose(via_any.outputs, direct.outputs));
  const auto next = any.forward<PlasticRNNOutput>(x, std::optional<PlasticRNNState>(direct.state));
  EXPECT_TRUE(torch::allclose(next.outputs, rnn->forward(x, direct.state).outputs));
}

TEST(PlasticRNNContract, CloneSaveLoadAndTo) {
  torch::manual_seed(3);
  const auto options = PlasticRNNOptions(3, 4).modulation(Modulation::kSimple).learn_eta(false);
  PlasticRNN rnn(options);
  auto copy = expect_deep_clone(rnn, "PlasticRNN");
  const auto x = torch::randn({5, 2, 3});
  EXPECT_TRUE(torch::equal(copy->forward(x).outputs, rnn->forward(x).outputs));
  PlasticRNN fresh(options);
  expect_save_load(rnn, fresh, "PlasticRNN");
  EXPECT_TRUE(torch::equal(fresh->forward(x).outputs, rnn->forward(x).outputs));
  rnn->to(torch::kFloat64);
  expect_moved_to(*rnn, torch::kFloat64, "PlasticRNN");
  EXPECT_EQ(rnn->forward(x.to(torch::kFloat64)).state.trace.scalar_type(), torch::kFloat64);
  EXPECT_EQ(rnn->w_in.sizes(), (c10::IntArrayRef{4, 3})); // [out, in]
}

// The recurrent weights take LibTorch's [out, in] layout: w[j, i] carries pre i to post j.
TEST(PlasticRNNContract, RecurrentWeightIsOutByIn) {
  PlasticRNN rnn(PlasticRNNOptions(1, 2).alpha_init(0.0).eta(0.0).learn_eta(false));
  {
    torch::NoGradGuard no_grad;
    rnn->w_in.fill_(1.0);
    rnn->w.zero_();
    rnn->w[1][0] = 1.0; // post 1 <- pre 0
  }
  // No input, no bias: from h = (0.5, 0) unit 1 reads unit 0 through w[1][0], unit 0 reads nothing.
  auto state = rnn->initial_state(1);
  state.h = torch::tensor({{0.5f, 0.0f}});
  const auto out = rnn->forward(torch::zeros({1, 1, 1}), state).outputs;
  EXPECT_FLOAT_EQ(out[0][0][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(out[0][0][1].item<float>(), std::tanh(0.5f));
}

} // namespace
