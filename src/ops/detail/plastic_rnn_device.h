#pragma once
// Internal pieces of plastic_rnn shared by the autograd Function, the dispatcher registration
// and the CUDA wrapper.
#include <engram/ops/detail/plastic_rnn_checks.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>
#include <engram/ops/plastic_rnn.h>

namespace engram::ops::detail {

struct PlasticRnnCall {
  PlasticRnnDims dims;
  at::Tensor x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m;
  HebbianRule rule = HebbianRule::kHebb;
  Modulation modulation = Modulation::kNone;
  double clip = 0.0; // <= 0: none
  double eta_value = 0.0;
  double b_m_value = 0.0;
};

struct PlasticRnnForwardState {
  at::Tensor outputs, h, H, E, m; // E, m undefined when unused
  at::Tensor ckH, ckE;            // [K, B, N, N] checkpoints (K = 0 without save)
};

struct PlasticRnnSaved {
  at::Tensor outputs, ckH, ckE, m_used, E0;
};

struct PlasticRnnGrads {
  at::Tensor g_out, g_h, g_H, g_E, g_m; // undefined = zero
};

struct PlasticRnnInputGrads {
  at::Tensor x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m;
};

PlasticRnnForwardState plastic_rnn_forward(const PlasticRnnCall& call, bool save_checkpoints);
PlasticRnnInputGrads plastic_rnn_backward_fused(const PlasticRnnCall& call,
                                                const PlasticRnnSaved& saved,
                                                const PlasticRnnGrads& grads);
PlasticRnnInputGrads plastic_rnn_backward_by_chunks(const PlasticRnnCall& call,
                                                    const PlasticRnnSaved& saved,
                                                    const PlasticRnnGrads& grads);

// CUDA forward (src/ops/cuda/plastic_cuda.cpp); throws when built without CUDA.
void plastic_rnn_forward_device(const PlasticRnnForwardArgs<float>& a);
void plastic_rnn_forward_device(const PlasticRnnForwardArgs<double>& a);

} // namespace engram::ops::detail
