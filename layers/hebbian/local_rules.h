#pragma once
// The weight updates of the classic local learning rules, as pure functions of a batch.
// Shapes: W [O, I] (one row per output unit, as torch::nn::Linear), x [B, I], y [B, O].
// Each returns the batch-mean update direction dW [O, I]; the caller scales it by the learning
// rate. Pure ATen, so they run wherever the tensors live.

#include <ATen/core/Tensor.h>

namespace engram::layers::rules {

// Plain Hebb: <y x^T>.
at::Tensor hebb(const at::Tensor& x, const at::Tensor& y);

// Oja: <y_j (x - y_j W_j)>: each unit converges to the unit-norm first principal component.
at::Tensor oja(const at::Tensor& w, const at::Tensor& x, const at::Tensor& y);

// Sanger's generalized Hebbian algorithm: <y x^T - LT(y y^T) W>; unit j converges to the j-th
// principal component (lower triangle includes the diagonal).
at::Tensor sanger(const at::Tensor& w, const at::Tensor& x, const at::Tensor& y);

// BCM: <x y_j (y_j - theta_j)>; the sliding threshold theta [O] is the caller's state.
at::Tensor bcm(const at::Tensor& x, const at::Tensor& y, const at::Tensor& theta);

// Covariance: <(y - mean_y)(x - mean_x)^T> with the caller's running means mean_x [I], mean_y [O].
at::Tensor covariance(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mean_x,
                      const at::Tensor& mean_y);

// The competitive (instar) update shared by the winner-take-all rules: with g [B, O] the
// post-synaptic signal after competition and u = x W^T the pre-activations,
// <g_j (x - u_j W_j)>. It drives each winning row towards unit norm and towards its inputs.
at::Tensor competitive(const at::Tensor& w, const at::Tensor& x, const at::Tensor& u,
                       const at::Tensor& g);

} // namespace engram::layers::rules
