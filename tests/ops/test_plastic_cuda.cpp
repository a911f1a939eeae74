// CUDA kernels against the CPU implementation (values and gradients). Skipped without a GPU; the
// GPU job runs them.
#include <ops/plastic_rnn_case.h>

#include <engram/ops/hebbian_update.h>
#include <engram/ops/plastic_rnn.h>

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace engram::ops::testing {
namespace {

double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  const auto A = a.detach().cpu().to(torch::kDouble), Bt = b.detach().cpu().to(torch::kDouble);
  return (A - Bt).abs().max().item<double>() / std::max(1.0, Bt.abs().max().item<double>());
}

void compare_case(PlasticCase c, torch::Dtype dtype, double tol) {
  const auto p = PlasticProblem::make(c, dtype, 17);
  auto cpu = p.leaves(torch::kCPU);
  auto gpu = p.leaves(torch::kCUDA);
  const auto rc = p.run(cpu, false);
  const auto rg = p.run(gpu, false);
  ASSERT_TRUE(rg.outputs.is_cuda());
  EXPECT_LT(rel_err(rg.outputs, rc.outputs), tol) << c.name();
  EXPECT_LT(rel_err(rg.H, rc.H), tol) << c.name();
  if (rc.E.defined()) {
    EXPECT_LT(rel_err(rg.E, rc.E), tol) << c.name();
  }
  if (rc.m.defined()) {
    EXPECT_LT(rel_err(rg.m, rc.m), tol) << c.name();
  }
  p.loss(rc).backward();
  p.loss(rg).backward();
  for (size_t i = 0; i < cpu.size(); ++i) {
    if (!cpu[i].defined()) {
      continue;
    }
    ASSERT_TRUE(gpu[i].grad().defined()) << c.name() << " " << PlasticProblem::input_names()[i];
    EXPECT_LT(rel_err(gpu[i].grad(), cpu[i].grad()), tol * 10)
        << c.name() << " grad " << PlasticProblem::input_names()[i];
  }
}

#define SKIP_WITHOUT_CUDA()                                                                        \
  if (!torch::cuda::is_available()) {                                                              \
    GTEST_SKIP() << "no CUDA device";                                                              \
  }

TEST(PlasticRnnCuda, AllRulesMatchCpuFloat64) {
  SKIP_WITHOUT_CUDA();
  for (auto c : all_plastic_cases()) {
    if (c.alpha != AlphaShape::kPerConnection && c.modulation != Modulation::kNone) {
      continue;
    }
    compare_case(c, torch::kDouble, 1e-9);
  }
}

TEST(PlasticRnnCuda, SharedMemoryAndGlobalPathsMatchCpuFloat32) {
  SKIP_WITHOUT_CUDA();
  for (int64_t N : {64, 128, 256}) { // 256 (retroactive) exceeds shared memory: global path
    PlasticCase c;
    c.rule = HebbianRule::kOja;
    c.modulation = Modulation::kRetroactive;
    c.clip = true;
    c.T = 12;
    c.B = 3;
    c.I = 8;
    c.N = N;
    c.chunk = 5;
    compare_case(c, torch::kFloat, 1e-4);
  }
}

TEST(PlasticRnnCuda, NoGradForwardMatchesCpu) {
  SKIP_WITHOUT_CUDA();
  PlasticCase c;
  c.modulation = Modulation::kSimple;
  c.N = 40;
  c.T = 30;
  const auto p = PlasticProblem::make(c, torch::kFloat, 3);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> gpu;
  for (const auto& t : p.inputs) {
    gpu.push_back(t.defined() ? t.cuda() : t);
  }
  EXPECT_LT(rel_err(p.run(gpu, false).outputs, p.run(p.inputs, false).outputs), 1e-4);
}

TEST(HebbianUpdateCuda, AllRulesMatchCpu) {
  SKIP_WITHOUT_CUDA();
  torch::manual_seed(4);
  for (auto rule :
       {HebbianRule::kHebb, HebbianRule::kOja, HebbianRule::kCovariance, HebbianRule::kBcm}) {
    for (bool shared : {false, true}) {
      const auto H =
          shared ? torch::randn({6, 7}, torch::kDouble) : torch::randn({5, 6, 7}, torch::kDouble);
      const auto x = torch::randn({5, 6}, torch::kDouble);
      const auto y = torch::randn({5, 7}, torch::kDouble);
      const auto m = torch::randn({5, 7}, torch::kDouble);
      const auto opt = HebbianUpdateOptions().rule(rule).clip(0.8);
      auto Hc = H.clone().requires_grad_(true);
      auto Hg = H.cuda().requires_grad_(true);
      const auto rc = hebbian_update(Hc, x, y, 0.3, m, {}, opt);
      const auto rg = hebbian_update(Hg, x.cuda(), y.cuda(), 0.3, m.cuda(), {}, opt);
      EXPECT_LT(rel_err(rg.H, rc.H), 1e-12) << to_string(rule);
      rc.H.square().sum().backward();
      rg.H.square().sum().backward();
      EXPECT_LT(rel_err(Hg.grad(), Hc.grad()), 1e-12) << to_string(rule);
    }
  }
}

TEST(OpsRegistrationCuda, DispatcherRunsCudaKernel) {
  SKIP_WITHOUT_CUDA();
  torch::NoGradGuard no_grad;
  const auto H = torch::randn({2, 3, 4}, torch::kCUDA);
  const auto op = c10::Dispatcher::singleton().findSchemaOrThrow("engram::hebbian_update", "");
  torch::jit::Stack s{H,
                      torch::randn({2, 3}, torch::kCUDA),
                      torch::randn({2, 4}, torch::kCUDA),
                      torch::full({}, 0.1, torch::kCUDA),
                      c10::IValue(),
                      c10::IValue(),
                      c10::IValue(),
                      c10::IValue(),
                      std::string("oja"),
                      c10::IValue(),
                      c10::IValue(0.1)};
  op.callBoxed(s);
  EXPECT_TRUE(s[0].toTensor().is_cuda());
}

} // namespace
} // namespace engram::ops::testing
