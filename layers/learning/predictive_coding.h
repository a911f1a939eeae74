#pragma once
// Predictive coding (Whittington & Bogacz 2017): a model-level learning rule that replaces the
// gradient of a network's task loss by local updates.
//
// Every linear layer l of the network (the head included) predicts its output from the layer
// below, mu_l = W_l f_{l-1}(v_{l-1}) + b_l, where v_{l-1} is the value node of the layer below
// (v_{-1} = the input, clamped) and f_{l-1} the activations that follow that layer. The hidden
// layers' value nodes start at the feed-forward prediction and relax, by gradient descent with
// step `inference_rate` for `inference_steps` steps, on the energy
//     F(v) = sum_hidden 1/2 |v_l - mu_l|^2 + task_loss(mu_L)
// (the output nodes' energy is the task loss of the logits mu_L). Each layer's weights then get
// the local update dW_l = eps_l f_{l-1}(v_{l-1})^T, db_l = eps_l, summed over the batch, with the
// prediction error eps_l = v_l - mu_l of a hidden layer and eps_L = -d task_loss / d logits at the
// output. With small output errors and enough steps these updates approach backprop's negative
// gradient (the paper's result); -dW is accumulated into .grad, so an optimiser descends it.

#include <engram/models/network.h>

#include <torch/arg.h>

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace engram::layers {

/// Options of predictive_coding_gradients().
///
/// Example:
/// ```
/// predictive_coding_gradients(*net, x, [&](const at::Tensor& logits) {
///   return torch::nn::functional::cross_entropy(logits, y);
/// }, PredictiveCodingOptions().inference_steps(50).inference_rate(0.1));
/// optimizer.step();
/// ```
struct PredictiveCodingOptions {
  /// Relaxation steps of the value nodes before the weight update (in [1, 100000]). The updates
  /// approach backprop's gradients as the steps grow (to within the small-error limit).
  TORCH_ARG(int64_t, inference_steps) = 50;
  /// Step size of the value nodes' gradient descent on the energy (in (0, 1]).
  TORCH_ARG(double, inference_rate) = 0.1;
};

/// The task loss of a batch as a function of the network's logits [B, num_outputs]; a scalar.
using TaskLossFn = std::function<at::Tensor(const at::Tensor& logits)>;

/// Relaxes the value nodes of `net` on the input x ([B, in_features] or [B, input_shape...]) and
/// accumulates the negative local updates into .grad of every linear layer's weight and bias (a
/// descent direction, like loss.backward()). The body must consist of linear layers and the
/// activations relu, tanh and sigmoid; any other layer is an error naming it. Does not change the
/// weights and builds no autograd graph through them.
void predictive_coding_gradients(models::NetworkImpl& net, const at::Tensor& x,
                                 const TaskLossFn& task_loss,
                                 const PredictiveCodingOptions& options = {});

} // namespace engram::layers
