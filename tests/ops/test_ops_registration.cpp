// The plastic ops are dispatcher operators (torch.ops.engram.*) with CPU, CUDA and Autograd
// kernels, and calling them through the dispatcher gives the same values and gradients.
#include <engram/ops/hebbian_update.h>
#include <engram/ops/plastic_rnn.h>

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace engram::ops {
namespace {

TEST(OpsRegistration, SchemasAndKernelsAreRegistered) {
  auto& dispatcher = c10::Dispatcher::singleton();
  for (const char* name : {"engram::plastic_rnn", "engram::hebbian_update"}) {
    const auto op = dispatcher.findSchema({name, ""});
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CPU)) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CUDA)) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::Autograd)) << name;
  }
}

TEST(OpsRegistration, DispatcherCallMatchesDirectCallWithGradients) {
  torch::manual_seed(0);
  const int64_t T = 6, B = 2, I = 3, N = 4;
  auto x = torch::randn({T, B, I});
  auto h0 = torch::randn({B, N});
  auto H0 = torch::randn({B, N, N}) * 0.1;
  auto W_in = torch::randn({N, I}).requires_grad_(true);
  auto W = torch::randn({N, N}) * 0.5;
  auto alpha = torch::randn({N}).requires_grad_(true);
  auto b = torch::zeros({N});
  auto eta = torch::full({}, 0.2);
  const auto op = c10::Dispatcher::singleton().findSchemaOrThrow("engram::plastic_rnn", "");
  torch::jit::Stack stack{x,
                          h0,
                          H0,
                          W_in,
                          W,
                          alpha,
                          b,
                          eta,
                          c10::IValue(),
                          c10::IValue(),
                          c10::IValue(),
                          c10::IValue(),
                          std::string("oja"),
                          std::string("none"),
                          c10::IValue(0.5),
                          c10::IValue(int64_t{2})};
  op.callBoxed(stack);
  ASSERT_EQ(stack.size(), 5u);
  const auto outputs = stack[0].toTensor();
  const auto direct = plastic_rnn(x, h0, H0, W_in, W, alpha, b, eta, {},
                                  PlasticRnnOptions().rule(HebbianRule::kOja).clip(0.5));
  EXPECT_TRUE(torch::allclose(outputs, direct.outputs));
  EXPECT_EQ(stack[3].toTensor().numel(), 0); // no E without retroactive modulation
  const auto g_op = torch::autograd::grad({outputs.sum()}, {W_in, alpha});
  const auto g_direct = torch::autograd::grad({direct.outputs.sum()}, {W_in, alpha});
  EXPECT_TRUE(torch::allclose(g_op[0], g_direct[0]));
  EXPECT_TRUE(torch::allclose(g_op[1], g_direct[1]));

  const auto hebb = c10::Dispatcher::singleton().findSchemaOrThrow("engram::hebbian_update", "");
  torch::jit::Stack s2{H0,
                       h0,
                       h0,
                       eta,
                       c10::IValue(),
                       c10::IValue(),
                       c10::IValue(),
                       c10::IValue(),
                       std::string("bcm"),
                       c10::IValue(),
                       c10::IValue(0.3)};
  hebb.callBoxed(s2);
  const auto ref = reference::hebbian_update(
      H0, h0, h0, eta, {}, {}, HebbianUpdateOptions().rule(HebbianRule::kBcm).mean_rate(0.3));
  EXPECT_TRUE(torch::allclose(s2[0].toTensor(), ref.H));
  EXPECT_TRUE(torch::allclose(s2[3].toTensor(), ref.state.theta));
}

} // namespace
} // namespace engram::ops
