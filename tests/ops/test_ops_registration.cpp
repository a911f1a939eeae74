// The plastic ops are dispatcher operators (torch.ops.engram.*) with CPU, CUDA and Autograd
// kernels, and calling them through the dispatcher gives the same values and gradients.
#include <engram/ops/hebbian_update.h>
#include <engram/ops/plastic_rnn.h>

#include <engram/config.h>

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
  for (const char* name : {"engram::plastic_rnn", "engram::_plastic_rnn_forward",
                           "engram::_plastic_rnn_backward", "engram::hebbian_update"}) {
    const auto op = dispatcher.findSchema({name, ""});
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CPU)) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::Meta)) << name;
#ifdef ENGRAM_WITH_CUDA
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CUDA)) << name;
#endif
  }
  // The public operators record their own backward; the helpers run below autograd only.
  for (const char* name : {"engram::plastic_rnn", "engram::hebbian_update"}) {
    EXPECT_TRUE(
        dispatcher.findSchema({name, ""})->hasKernelForDispatchKey(c10::DispatchKey::Autograd))
        << name;
  }
}

TEST(OpsRegistration, MetaKernelsGiveTheShapesOfTheCpuKernels) {
  torch::manual_seed(0);
  const int64_t T = 7, B = 2, I = 3, N = 4;
  const auto meta = torch::TensorOptions().device(torch::kMeta);
  const auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("engram::_plastic_rnn_forward", "");
  const auto run = [&](const torch::TensorOptions& o) {
    torch::jit::Stack stack{torch::randn({T, B, I}, o.device(torch::kCPU)).to(o.device()),
                            torch::zeros({B, N}, o),
                            torch::zeros({B, N, N}, o),
                            torch::zeros({N, I}, o),
                            torch::zeros({N, N}, o),
                            torch::zeros({N}, o),
                            torch::zeros({N}, o),
                            torch::full({}, 0.1, o.device(torch::kCPU)).to(o.device()),
                            c10::IValue(),
                            c10::IValue(),
                            torch::zeros({N}, o),
                            c10::IValue(),
                            std::string("oja"),
                            std::string("retroactive"),
                            c10::IValue(),
                            c10::IValue(int64_t{3})};
    op.callBoxed(stack);
    return stack;
  };
  const auto cpu = run(torch::TensorOptions());
  const auto fake = run(meta);
  ASSERT_EQ(cpu.size(), 7u);
  ASSERT_EQ(fake.size(), 7u);
  for (size_t k = 0; k < cpu.size(); ++k) {
    EXPECT_EQ(fake[k].toTensor().sizes(), cpu[k].toTensor().sizes()) << "output " << k;
    EXPECT_TRUE(fake[k].toTensor().is_meta()) << "output " << k;
  }
  EXPECT_EQ(cpu[5].toTensor().size(0), 3); // ceil(7 / 3) checkpoints
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
