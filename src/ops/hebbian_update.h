#pragma once
// hebbian_update: one batched step of a fast Hebbian trace, differentiable in every tensor input.
//
// Layout: H[b, i, j] (or shared H[i, j]) is the plastic weight from presynaptic unit i
// (pre[b, i], I units) to postsynaptic unit j (post[b, j], O units): [pre, post], as the outer
// product pre ⊗ post. (plastic_rnn uses the same convention.)
//
// With x = pre, y = post, m the modulation (1 when absent; m[b] or m[b, j]) and η = eta:
//   hebb:       H ← (1 − η) H + η m x_i y_j
//   oja:        H ← H + η m y_j (x_i − y_j H_ij)
//   covariance: H ← H + η m (x_i − p̄_i)(y_j − q̄_j),   then p̄ ← (1−ρ) p̄ + ρ x, q̄ ← (1−ρ) q̄ + ρ y
//   bcm:        H ← H + η m x_i y_j (y_j − θ_j),        then θ ← (1−ρ) θ + ρ y²
// (the increments use the state from before this step; ρ = options.mean_rate). Then, when clip is
// set, H ← clamp(H, −clip, clip) (gradient passes where −clip ≤ H ≤ clip).
// Shared H [I, O] with a batch of pre/post: the per-sample increments are averaged over the
// batch (hebb: H ← (1 − η) H + η mean_b(m x ⊗ y)). Running means and θ are per sample [B, ·].
#include <engram/core/plasticity.h>

#include <ATen/ATen.h>
#include <torch/arg.h>

#include <optional>
#include <string>

namespace engram::ops {

// The shared vocabulary (engram/core/plasticity.h), also reachable as engram::ops::HebbianRule.
using engram::HebbianRule;

// The rules hebbian_update implements, in the order of its kernels.
const std::vector<HebbianRule>& hebbian_update_rules(); // hebb, oja, covariance, bcm

struct HebbianUpdateOptions {
  /// The trace rule: kHebb, kOja, kCovariance or kBcm (the weight-only rules are refused).
  TORCH_ARG(HebbianRule, rule) = HebbianRule::kHebb;
  /// Clamp the updated H to [-clip, clip]; must be > 0 when set.
  TORCH_ARG(std::optional<double>, clip) = std::nullopt;
  /// Rate ρ ∈ [0, 1] of the running means (covariance) and of θ (bcm).
  TORCH_ARG(double, mean_rate) = 0.1;
};

// Rule state; undefined tensors start at zero.
struct HebbianState {
  at::Tensor pre_mean;  // [B, I] covariance: running mean p̄ of pre
  at::Tensor post_mean; // [B, O] covariance: running mean q̄ of post
  at::Tensor theta;     // [B, O] bcm: sliding threshold θ (running mean of post²)
};

struct HebbianUpdateResult {
  at::Tensor H;       // same shape as the input H
  HebbianState state; // updated state (covariance: pre_mean/post_mean; bcm: theta)
};

// H: [B, I, O] or [I, O]; pre: [B, I]; post: [B, O]; eta: scalar tensor (0-dim or [1]) >= 0;
// m: undefined, [B] or [B, O]. One device and one floating dtype (float32/float64) for all.
// Non-contiguous inputs are accepted.
HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, const at::Tensor& eta,
                                   const at::Tensor& m = {}, const HebbianState& state = {},
                                   const HebbianUpdateOptions& options = {});

// Convenience overload with a constant rate.
HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, double eta, const at::Tensor& m = {},
                                   const HebbianState& state = {},
                                   const HebbianUpdateOptions& options = {});

namespace reference {
// Pure-ATen composition of the same formulas (autograd derives its backward).
HebbianUpdateResult hebbian_update(const at::Tensor& H, const at::Tensor& pre,
                                   const at::Tensor& post, const at::Tensor& eta,
                                   const at::Tensor& m = {}, const HebbianState& state = {},
                                   const HebbianUpdateOptions& options = {});
} // namespace reference

} // namespace engram::ops
