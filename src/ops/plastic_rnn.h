#pragma once
// plastic_rnn: a whole recurrent sequence with a fast Hebbian trace, fused (Miconi et al. 2018
// "Differentiable plasticity"; Miconi et al. 2019 "Backpropamine").
//
// Index convention (shared with hebbian_update): the trace H[b, i, j] is the plastic weight from
// presynaptic unit i to postsynaptic unit j ([pre, post], the layout of an outer product
// pre ⊗ post). W, W_in and a matrix alpha keep LibTorch's Linear layout [N_out, N_in], i.e.
// W[j, i] = post j ← pre i. The effective recurrent weight of sample b in LibTorch layout is
//     W_eff[b] = W + alpha ⊙ H[b]ᵀ        (W_eff[b][j, i] = W[j, i] + alpha[j, i] · H[b, i, j])
// alpha may be [N, N] (per connection, layout of W), [N] (alpha[j], per postsynaptic unit) or a
// scalar (0-dim or [1]).
//
// Step t = 1..T, with x = h_{t-1} (pre) and y = h_t (post):
//     h_t = tanh(W_in x_t + b + W_eff(H_{t-1}) h_{t-1})
//     D_t[i, j] = x_i y_j                                   rule = hebb
//     D_t[i, j] = y_j (x_i − y_j H_{t-1}[i, j])             rule = oja
//   modulation none:        H̃ = (1 − η) H_{t-1} + η D_t   (hebb)   H̃ = H_{t-1} + η D_t   (oja)
//   modulation simple:      H̃ = H_{t-1} + m_t D_t          (m_t replaces η; η gets no gradient)
//   modulation retroactive: H̃ = H_{t-1} + m_t E_{t-1},    E_t = (1 − η) E_{t-1} + η D_t
//   H_t = clamp(H̃, −clip, clip) when clip is set (gradient passes where −clip ≤ H̃ ≤ clip).
// m_t is either given (`m`, [T, B]) or computed from the new state, m_t = tanh(w_m · h_t + b_m)
// (the Backpropamine modulator head; w_m [N], b_m scalar).
//
// Autograd: exact backward through time. The forward keeps H (and E) only every `chunk_size`
// steps; the backward recomputes the traces inside a chunk from its checkpoint (re-checkpointing
// every ≈√chunk steps so its own buffer stays small), so saved memory is O(T/chunk · B·N²) instead
// of the O(T · B·N²) of an unrolled graph. Double backward is not supported.
#include <engram/core/plasticity.h>

#include <ATen/ATen.h>
#include <torch/arg.h>

#include <cstdint>
#include <optional>

namespace engram::ops {

// The shared vocabulary (engram/core/plasticity.h), also reachable as engram::ops::X.
using engram::AlphaShape;
using engram::HebbianRule;
using engram::Modulation;

struct PlasticRnnOptions {
  /// The trace rule: HebbianRule::kHebb or kOja (others are refused).
  TORCH_ARG(HebbianRule, rule) = HebbianRule::kHebb;
  /// How the modulator m_t enters the trace (none, simple or retroactive).
  TORCH_ARG(Modulation, modulation) = Modulation::kNone;
  /// Clamp H to [-clip, clip] after every update; must be > 0 when set.
  TORCH_ARG(std::optional<double>, clip) = std::nullopt;
  /// Steps between saved (H, E) checkpoints; must be >= 1 when set. Default:
  /// default_plastic_rnn_chunk(T) (≈ T^{3/4}, i.e. ≈ T^{1/4} checkpoints).
  TORCH_ARG(std::optional<int64_t>, chunk_size) = std::nullopt;
};

// Optional inputs of the modulated variants. Undefined tensors are absent.
struct PlasticRnnModulationInputs {
  at::Tensor E0;  // [B, N, N] initial eligibility trace (retroactive); zeros when absent
  at::Tensor m;   // [T, B] given modulation (simple/retroactive); else computed from w_m, b_m
  at::Tensor w_m; // [N] modulator head weights (used when m is absent)
  at::Tensor b_m; // scalar (0-dim or [1]) modulator head bias; zero when absent
};

struct PlasticRnnResult {
  at::Tensor outputs; // [T, B, N]: h_1 .. h_T
  at::Tensor h;       // [B, N]: h_T
  at::Tensor H;       // [B, N, N]: H_T
  at::Tensor E;       // [B, N, N]: E_T (retroactive), undefined otherwise
  at::Tensor m;       // [T, B]: the modulation used (simple/retroactive), undefined otherwise
};

// x:    [T, B, I] (or [T, B, N] pre-projected input when W_in is undefined)
// h0:   [B, N]    H0: [B, N, N]
// W_in: [N, I] or undefined;  W: [N, N];  alpha: [N, N] | [N] | scalar;  b: [N];
// eta:  scalar tensor (0-dim or [1]), must be >= 0.
// All tensors on one device with one floating dtype (float32 or float64; CPU or CUDA).
// Non-contiguous inputs are accepted (made contiguous internally).
PlasticRnnResult plastic_rnn(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                             const at::Tensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                             const at::Tensor& b, const at::Tensor& eta,
                             const PlasticRnnModulationInputs& modulation = {},
                             const PlasticRnnOptions& options = {});

// The checkpoint interval used when options.chunk_size is not set.
int64_t default_plastic_rnn_chunk(int64_t T);

// Bytes the fused op saved for backward beyond its own inputs and outputs (the trace
// checkpoints and per-step modulation), read from the autograd node of any tensor returned by
// plastic_rnn. Returns -1 when `output` was not produced by the fused op with grad enabled.
int64_t plastic_rnn_saved_bytes(const at::Tensor& output);

namespace reference {
// Unrolled pure-ATen implementation of the same semantics: one differentiable ATen expression
// per step (autograd keeps every intermediate). Kept for tests and as the benchmark baseline.
PlasticRnnResult plastic_rnn(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                             const at::Tensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                             const at::Tensor& b, const at::Tensor& eta,
                             const PlasticRnnModulationInputs& modulation = {},
                             const PlasticRnnOptions& options = {});
} // namespace reference

} // namespace engram::ops
