// engram::gated_memory_layer: finite-difference gradients in float64, the fused CPU kernel
// against the pure-ATen reference (forward and backward, float32 and float64), the Meta kernel's
// shapes, the registered kernels, and the CUDA kernel against the CPU one (skipped without a GPU).
#include <engram/ops/gated_memory_layer.h>

#include <engram/config.h>

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <array>
#include <string>
#include <vector>

namespace engram::ops {
namespace {

struct Config {
  bool bias;
  bool peephole;
};

std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  return std::string(info.param.bias ? "Bias" : "NoBias") +
         (info.param.peephole ? "Peephole" : "NoPeephole");
}

// x, h0, c0, w_ih, w_hh, bias, peephole (undefined when the config lacks them).
std::vector<at::Tensor> layer_args(const Config& c, at::ScalarType dtype, int64_t T = 4,
                                   int64_t B = 2, int64_t I = 3, int64_t H = 3) {
  const auto o = torch::TensorOptions().dtype(dtype);
  return {torch::randn({T, B, I}, o),
          torch::randn({B, H}, o) * 0.5,
          torch::randn({B, H}, o) * 0.5,
          torch::randn({4 * H, I}, o) * 0.5,
          torch::randn({4 * H, H}, o) * 0.5,
          c.bias ? torch::randn({4 * H}, o) * 0.5 : at::Tensor(),
          c.peephole ? torch::randn({3, H}, o) * 0.5 : at::Tensor()};
}

using LayerFn = GatedMemoryLayerResult (*)(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                           const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                           const at::Tensor&);

GatedMemoryLayerResult call(LayerFn fn, const std::vector<at::Tensor>& a) {
  return fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

// A loss that reads every output: the per-step outputs and both parts of the final state.
struct LossWeights {
  at::Tensor output, h_n, c_n;
  at::Tensor operator()(const GatedMemoryLayerResult& r) const {
    return (r.output * output).sum() + (r.h_n * h_n).sum() + (r.c_n * c_n).sum();
  }
};

LossWeights loss_weights(const std::vector<at::Tensor>& a) {
  const int64_t T = a[0].size(0), B = a[0].size(1), H = a[4].size(1);
  const auto o = a[0].options();
  return {torch::randn({T, B, H}, o), torch::randn({B, H}, o), torch::randn({B, H}, o)};
}

// Outputs and the gradient of every defined input.
std::pair<GatedMemoryLayerResult, std::vector<at::Tensor>>
run_with_grads(LayerFn fn, const std::vector<at::Tensor>& args, const LossWeights& loss) {
  std::vector<at::Tensor> leaves;
  for (const auto& a : args) {
    leaves.push_back(a.defined() ? a.detach().clone().requires_grad_() : a);
  }
  const auto r = call(fn, leaves);
  loss(r).backward();
  std::vector<at::Tensor> grads;
  for (const auto& l : leaves) {
    grads.push_back(l.defined() ? l.grad() : at::Tensor());
  }
  return {GatedMemoryLayerResult{r.output.detach(), r.h_n.detach(), r.c_n.detach()}, grads};
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

const char* const kArgNames[] = {"x", "h0", "c0", "w_ih", "w_hh", "bias", "peephole"};

class GatedMemoryLayerOp : public ::testing::TestWithParam<Config> {};

// Central differences in float64 on every element of every input, h0 and c0 given.
TEST_P(GatedMemoryLayerOp, GradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(11);
  const auto args = layer_args(GetParam(), torch::kFloat64);
  const auto loss = loss_weights(args);
  const auto [out, grads] = run_with_grads(&gated_memory_layer, args, loss);
  const double eps = 1e-6;
  at::NoGradGuard no_grad;
  for (size_t k = 0; k < args.size(); ++k) {
    if (!args[k].defined()) {
      continue;
    }
    ASSERT_TRUE(grads[k].defined()) << kArgNames[k];
    const at::Tensor flat_grad = grads[k].reshape(-1);
    for (int64_t e = 0; e < args[k].numel(); ++e) {
      std::vector<at::Tensor> plus = args, minus = args;
      plus[k] = args[k].clone();
      minus[k] = args[k].clone();
      plus[k].view(-1)[e] += eps;
      minus[k].view(-1)[e] -= eps;
      const double numeric =
          (loss(call(&gated_memory_layer, plus)) - loss(call(&gated_memory_layer, minus)))
              .item<double>() /
          (2 * eps);
      EXPECT_NEAR(flat_grad[e].item<double>(), numeric, 1e-7 + 1e-6 * std::abs(numeric))
          << kArgNames[k] << "[" << e << "]";
    }
  }
}

// The fused CPU kernel against the autograd of the pure-ATen reference, outputs and every
// gradient, at a size with several rows per batch task.
TEST_P(GatedMemoryLayerOp, FusedMatchesReferenceForwardAndBackward) {
  for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
    torch::manual_seed(12);
    const auto args = layer_args(GetParam(), dtype, 7, 5, 6, 9);
    const auto loss = loss_weights(args);
    const auto [fused, g_fused] = run_with_grads(&gated_memory_layer, args, loss);
    const auto [ref, g_ref] = run_with_grads(&reference::gated_memory_layer, args, loss);
    const double tol = dtype == torch::kFloat64 ? 1e-12 : 2e-5;
    EXPECT_LT(max_abs_diff(fused.output, ref.output), tol) << dtype;
    EXPECT_LT(max_abs_diff(fused.h_n, ref.h_n), tol) << dtype;
    EXPECT_LT(max_abs_diff(fused.c_n, ref.c_n), tol) << dtype;
    for (size_t k = 0; k < args.size(); ++k) {
      if (args[k].defined()) {
        EXPECT_LT(max_abs_diff(g_fused[k], g_ref[k]), 10 * tol) << kArgNames[k] << " " << dtype;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BiasAndPeephole, GatedMemoryLayerOp,
                         ::testing::Values(Config{false, false}, Config{true, false},
                                           Config{false, true}, Config{true, true}),
                         config_name);

TEST(GatedMemoryLayerOp, OnlyTheRequestedGradientsAreComputed) {
  torch::manual_seed(13);
  auto args = layer_args({true, true}, torch::kFloat64);
  args[4].requires_grad_(); // w_hh only
  const auto r = call(&gated_memory_layer, args);
  const auto g = torch::autograd::grad({r.output.sum()}, {args[4]});
  args[4] = args[4].detach().requires_grad_();
  const auto ref = call(&reference::gated_memory_layer, args);
  const auto g_ref = torch::autograd::grad({ref.output.sum()}, {args[4]});
  EXPECT_LT(max_abs_diff(g[0], g_ref[0]), 1e-12);
  // No gradient recorded: the operator runs without an autograd node.
  at::Tensor plain = call(&gated_memory_layer, layer_args({true, false}, torch::kFloat64)).output;
  EXPECT_FALSE(plain.requires_grad());
}

TEST(GatedMemoryLayerOp, DoubleBackwardIsRefusedWithAPointerToTheReference) {
  torch::manual_seed(14);
  auto args = layer_args({true, false}, torch::kFloat64);
  args[3].requires_grad_();
  const auto r = call(&gated_memory_layer, args);
  try {
    torch::autograd::grad({r.output.sum()}, {args[3]}, {}, /*retain_graph=*/true,
                          /*create_graph=*/true);
    FAIL() << "double backward accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("fused(false)"), std::string::npos) << e.what();
  }
}

TEST(GatedMemoryLayerOp, RejectsBadArgumentsWithNamedErrors) {
  const auto args = layer_args({true, true}, torch::kFloat32);
  const auto expect_error = [&](std::vector<at::Tensor> a, const std::string& text) {
    try {
      call(&gated_memory_layer, a);
      FAIL() << "accepted: " << text;
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  auto a = args;
  a[1] = torch::zeros({3, 3});
  expect_error(a, "argument 'h0' expected [2, 3]");
  a = args;
  a[6] = torch::zeros({2, 3});
  expect_error(a, "argument 'peephole' expected shape [3, 3]");
  a = args;
  a[3] = a[3].to(torch::kFloat64);
  expect_error(a, "argument 'w_ih' expected dtype Float");
  a = args;
  a[0] = torch::zeros({0, 2, 3});
  expect_error(a, "sequence length > 0");
}

// Meta (fake-tensor) kernels give the CPU kernels' shapes for all three operators.
TEST(GatedMemoryLayerOp, MetaKernelsGiveTheShapesOfTheCpuKernels) {
  torch::manual_seed(15);
  const int64_t T = 5, B = 2, I = 3, H = 4;
  const auto run = [&](const char* name, const torch::TensorOptions& o, bool backward) {
    const auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
    const auto r = [&](std::vector<int64_t> shape) { return torch::randn(shape).to(o.device()); };
    torch::jit::Stack stack;
    if (backward) {
      stack = {r({T, B, H}), c10::IValue(), r({B, H})};
    }
    for (const auto& t : {r({T, B, I}), r({B, H}), r({B, H}), r({4 * H, I}), r({4 * H, H}),
                          r({4 * H}), r({3, H})}) {
      stack.emplace_back(t);
    }
    if (backward) {
      for (const auto& t : {r({T, B, H}), r({T, B, 4 * H}), r({T, B, H}), r({T, B, H})}) {
        stack.emplace_back(t);
      }
      stack.emplace_back(c10::List<bool>({true, false, true, true, false, true, true}));
    }
    op.callBoxed(stack);
    return stack;
  };
  const auto meta = torch::TensorOptions().device(torch::kMeta);
  for (const auto& [name, backward, count] :
       {std::tuple<const char*, bool, size_t>{"engram::gated_memory_layer", false, 3},
        {"engram::_gated_memory_layer_forward", false, 6},
        {"engram::_gated_memory_layer_backward", true, 7}}) {
    const auto cpu = run(name, torch::TensorOptions(), backward);
    const auto fake = run(name, meta, backward);
    ASSERT_EQ(cpu.size(), count) << name;
    ASSERT_EQ(fake.size(), count) << name;
    for (size_t k = 0; k < count; ++k) {
      EXPECT_EQ(fake[k].toTensor().sizes(), cpu[k].toTensor().sizes()) << name << " output " << k;
      EXPECT_TRUE(fake[k].toTensor().is_meta()) << name << " output " << k;
    }
  }
}

TEST(GatedMemoryLayerOp, SchemasAndKernelsAreRegistered) {
  auto& dispatcher = c10::Dispatcher::singleton();
  for (const char* name : {"engram::gated_memory_layer", "engram::_gated_memory_layer_forward",
                           "engram::_gated_memory_layer_backward"}) {
    const auto op = dispatcher.findSchema({name, ""});
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CPU)) << name;
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::Meta)) << name;
#ifdef ENGRAM_WITH_CUDA
    EXPECT_TRUE(op->hasKernelForDispatchKey(c10::DispatchKey::CUDA)) << name;
#endif
  }
  EXPECT_TRUE(dispatcher.findSchema({"engram::gated_memory_layer", ""})
                  ->hasKernelForDispatchKey(c10::DispatchKey::Autograd));
}

// The CUDA kernel (ATen's CUDA ops around the shared algorithm) against the CPU one.
TEST(GatedMemoryLayerOp, CudaMatchesCpuForwardAndBackward) {
  if (!torch::cuda::is_available()) {
    GTEST_SKIP() << "no CUDA device";
  }
  for (const Config c : {Config{true, false}, Config{true, true}, Config{false, true}}) {
    torch::manual_seed(16);
    const auto args = layer_args(c, torch::kFloat64, 6, 3, 5, 8);
    const auto loss = loss_weights(args);
    std::vector<at::Tensor> on_gpu;
    for (const auto& a : args) {
      on_gpu.push_back(a.defined() ? a.cuda() : a);
    }
    const LossWeights gpu_loss{loss.output.cuda(), loss.h_n.cuda(), loss.c_n.cuda()};
    const auto [cpu, g_cpu] = run_with_grads(&gated_memory_layer, args, loss);
    const auto [gpu, g_gpu] = run_with_grads(&gated_memory_layer, on_gpu, gpu_loss);
    EXPECT_LT(max_abs_diff(cpu.output, gpu.output.cpu()), 1e-12);
    EXPECT_LT(max_abs_diff(cpu.c_n, gpu.c_n.cpu()), 1e-12);
    for (size_t k = 0; k < args.size(); ++k) {
      if (args[k].defined()) {
        EXPECT_LT(max_abs_diff(g_cpu[k], g_gpu[k].cpu()), 1e-11) << kArgNames[k];
      }
    }
  }
}

} // namespace
} // namespace engram::ops
