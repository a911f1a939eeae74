// The two backward algorithms of plastic_rnn agree: the fused CPU kernel and the chunk-by-chunk
// recomputation through the ATen reference that the CUDA path uses (run here on the CPU, so the
// CUDA backward's logic is checked even without a GPU).
#include <ops/plastic_rnn_case.h>

#include <engram/ops/detail/plastic_rnn_device.h>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace engram::ops::testing {
namespace {

TEST(PlasticRnnBackwardPaths, ChunkedReferenceBackwardMatchesFusedKernel) {
  for (auto c : all_plastic_cases()) {
    if (c.alpha == AlphaShape::kScalar) {
      continue;
    }
    SCOPED_TRACE(c.name());
    c.T = 9;
    c.chunk = 4;
    const auto p = PlasticProblem::make(c, torch::kDouble, 9);
    const auto& in = p.inputs;
    PlasticRnnModulationInputs mod{in[8], in[9], in[10], in[11]};
    const auto opt = p.options();
    const auto d = detail::check_plastic_rnn("test", in[0], in[1], in[2], in[3], in[4], in[5],
                                             in[6], in[7], mod, opt);
    detail::PlasticRnnCall call;
    call.dims = d;
    call.x = in[0];
    call.h0 = in[1];
    call.H0 = in[2];
    call.W_in = in[3];
    call.W = in[4];
    call.alpha = in[5];
    call.b = in[6];
    call.eta = in[7];
    call.E0 = in[8];
    call.m = in[9];
    call.w_m = in[10];
    call.b_m = in[11];
    call.rule = c.rule;
    call.modulation = c.modulation;
    call.clip = opt.clip() ? *opt.clip() : 0.0;
    call.eta_value = in[7].item<double>();
    call.b_m_value = in[11].defined() ? in[11].item<double>() : 0.0;
    const auto st = detail::plastic_rnn_forward(call, true, detail::plastic_rnn_cpu_kernels());
    detail::PlasticRnnSaved saved{st.outputs, st.ckH, st.ckE, st.m, in[8]};
    detail::PlasticRnnGrads g;
    g.g_out = torch::randn_like(st.outputs);
    g.g_h = torch::randn_like(st.h);
    g.g_H = torch::randn_like(st.H);
    if (st.E.defined()) {
      g.g_E = torch::randn_like(st.E);
    }
    if (st.m.defined()) {
      g.g_m = torch::randn_like(st.m);
    }
    const auto fused = detail::plastic_rnn_backward_fused(call, saved, g);
    const auto chunked = detail::plastic_rnn_backward_by_chunks(call, saved, g);
    const std::vector<std::pair<const char*, std::pair<torch::Tensor, torch::Tensor>>> pairs{
        {"x", {fused.x, chunked.x}},      {"h0", {fused.h0, chunked.h0}},
        {"H0", {fused.H0, chunked.H0}},   {"W_in", {fused.W_in, chunked.W_in}},
        {"W", {fused.W, chunked.W}},      {"alpha", {fused.alpha, chunked.alpha}},
        {"b", {fused.b, chunked.b}},      {"E0", {fused.E0, chunked.E0}},
        {"m", {fused.m, chunked.m}},      {"w_m", {fused.w_m, chunked.w_m}},
        {"b_m", {fused.b_m, chunked.b_m}}};
    for (const auto& [name, ab] : pairs) {
      const auto& [a, b] = ab;
      ASSERT_EQ(a.defined(), b.defined()) << name;
      if (a.defined()) {
        EXPECT_TRUE(torch::allclose(a, b.reshape(a.sizes()), 1e-9, 1e-10)) << name;
      }
    }
    if (c.modulation != Modulation::kSimple) {
      EXPECT_TRUE(torch::allclose(fused.eta, chunked.eta.reshape(fused.eta.sizes()), 1e-9, 1e-10));
    }
  }
}

} // namespace
} // namespace engram::ops::testing
