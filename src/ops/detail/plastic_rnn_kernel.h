#pragma once
// Device-independent description of one fused plastic_rnn call: raw pointers into contiguous
// buffers, prepared by plastic_rnn.cpp (so that the CUDA .cu files need no ATen header).
#include <engram/core/plasticity.h>

#include <cstdint>

namespace engram::ops::detail {

template <typename scalar_t>
struct PlasticRnnForwardArgs {
  int64_t T = 0, B = 0, N = 0;
  bool oja = false;
  Modulation modulation = Modulation::kNone;
  double eta = 0.0;
  double clip = 0.0; // <= 0: no clipping
  int64_t chunk = 1; // checkpoint interval (used when ckH != nullptr)
  // inputs
  const scalar_t* U = nullptr;       // [T, B, N]  W_in x_t + b
  const scalar_t* h0 = nullptr;      // [B, N]
  const scalar_t* H0 = nullptr;      // [B, N, N]  [pre, post]
  const scalar_t* E0 = nullptr;      // [B, N, N] or null (zeros)
  const scalar_t* WT = nullptr;      // [N, N]  Wᵀ: WT[i, j] = W[j, i]
  const scalar_t* A = nullptr;       // alpha in [pre, post] layout: row i at A + i * A_stride
  int64_t A_stride = 0;              // N (per connection, [N, N]) or 0 (one [N] row for all i:
                                     // per-neuron alpha[j], or a scalar repeated N times)
  const scalar_t* m_given = nullptr; // [T, B] or null
  const scalar_t* w_m = nullptr;     // [N] or null
  double b_m = 0.0;
  // Device-resident scalars (CUDA): when set they replace eta / b_m, read by the kernel itself
  // so that the host never waits for the device.
  const scalar_t* eta_ptr = nullptr; // [] or [1]
  const scalar_t* b_m_ptr = nullptr; // [] or [1]; null with b_m = 0 when there is no b_m
  // outputs
  scalar_t* out = nullptr;    // [T, B, N]
  scalar_t* H = nullptr;      // [B, N, N]  H_T
  scalar_t* E = nullptr;      // [B, N, N]  E_T (retroactive)
  scalar_t* m_used = nullptr; // [T, B] (modulated)
  scalar_t* ckH = nullptr;    // [K, B, N, N] or null: H at t = k·chunk
  scalar_t* ckE = nullptr;    // [K, B, N, N] or null (retroactive)
};

template <typename scalar_t>
struct PlasticRnnBackwardArgs {
  PlasticRnnForwardArgs<scalar_t> fwd; // out, m_used, ckH, ckE hold the saved forward values
  // incoming gradients (null = zero)
  const scalar_t* g_out = nullptr; // [T, B, N]
  const scalar_t* g_h = nullptr;   // [B, N]
  const scalar_t* g_H = nullptr;   // [B, N, N]
  const scalar_t* g_E = nullptr;   // [B, N, N]
  const scalar_t* g_m = nullptr;   // [T, B]
  // outgoing gradients (all written, per batch element where indexed by b)
  scalar_t* g_a = nullptr;       // [T, B, N] dL/d pre-activation
  scalar_t* g_h0 = nullptr;      // [B, N]
  scalar_t* g_H0 = nullptr;      // [B, N, N]
  scalar_t* g_E0 = nullptr;      // [B, N, N] (retroactive)
  scalar_t* g_A = nullptr;       // [B, N, N] per-sample dL/dA
  scalar_t* g_eta = nullptr;     // [B]
  scalar_t* g_m_given = nullptr; // [T, B] (given m)
  scalar_t* g_w_m = nullptr;     // [B, N] (head)
  scalar_t* g_b_m = nullptr;     // [B] (head)
};

void plastic_rnn_forward_cpu(const PlasticRnnForwardArgs<float>& a);
void plastic_rnn_forward_cpu(const PlasticRnnForwardArgs<double>& a);
void plastic_rnn_backward_cpu(const PlasticRnnBackwardArgs<float>& a);
void plastic_rnn_backward_cpu(const PlasticRnnBackwardArgs<double>& a);

} // namespace engram::ops::detail
