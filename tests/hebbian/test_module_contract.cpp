// HebbianLinear keeps LibTorch's module contract: AnyModule and Sequential, clone(), save/load
// (with its rule state buffers) and to().
#include <support/module_contract.h>

#include <engram/layers/hebbian/hebbian_linear.h>

#include <gtest/gtest.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/functional.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace {

using namespace engram::layers;
using namespace engram::testing;

HebbianLinearOptions bcm_options() {
  return HebbianLinearOptions(6, 3)
      .rule(HebbianRule::kBcm)
      .bias(true)
      .activation(Activation::kRelu);
}

TEST(HebbianLinearContract, RunsInsideAnyModuleAndSequential) {
  torch::manual_seed(0);
  HebbianLinear layer(bcm_options());
  const auto x = torch::rand({4, 6});
  torch::nn::AnyModule any(layer);
  EXPECT_TRUE(torch::equal(any.forward(x), layer->forward(x)));
  torch::nn::Sequential seq(layer, torch::nn::Functional(torch::tanh));
  EXPECT_TRUE(torch::equal(seq->forward(x), torch::tanh(layer->forward(x))));
}

TEST(HebbianLinearContract, CloneSaveLoadAndToCarryTheRuleState) {
  torch::manual_seed(1);
  HebbianLinear layer(bcm_options());
  for (int k = 0; k < 3; ++k) {
    layer->learn(torch::rand({8, 6}));
  }
  ASSERT_GT(layer->theta.abs().sum().item<double>(), 0.0);
  auto copy = expect_deep_clone(layer, "HebbianLinear");
  EXPECT_EQ(copy->steps(), 3);
  copy->learn(torch::rand({8, 6})); // the copy learns on its own
  EXPECT_EQ(layer->steps(), 3);
  HebbianLinear fresh(bcm_options());
  expect_save_load(layer, fresh, "HebbianLinear");
  EXPECT_EQ(fresh->steps(), 3);
  layer->to(torch::kFloat64);
  expect_moved_to(*layer, torch::kFloat64, "HebbianLinear");
  EXPECT_EQ(layer->forward(torch::rand({2, 6}, torch::kFloat64)).scalar_type(), torch::kFloat64);
}

} // namespace
