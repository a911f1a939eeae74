#pragma once
// The SoftHebb plasticity rule (Journe et al. 2023, "Hebbian deep learning without feedback"),
// shared by SoftHebbLinear and SoftHebbConv2d. For N samples (or image patches) x [N, I], weights
// w [O, I] and pre-activations u = x w^T [N, O]:
//   competition    y = softmax(u / temperature) over the O units; with anti-Hebbian plasticity
//                  the winner (argmax) keeps +y, every other unit gets -y;
//   plasticity     dw_k = sum_n y_nk (x_n - u_nk w_k), optionally divided by max |dw|;
//   adaptive rate  eta_k = eta * |‖w_k‖ - 1|^power: each neuron's rate falls as its weight
//                  vector approaches the unit sphere, where the rule converges.
// And the layers' output nonlinearity, the triangle: f(u) = relu(u - mean over units of u)^power.

#include <engram/core/plasticity.h>

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace engram::layers {

/// The output nonlinearity of a SoftHebb layer.
enum class SoftHebbActivation {
  kTriangle, ///< relu(u - mean_units(u))^triangle_power (the paper's)
  kRelu,     ///< relu(u)
  kNone,     ///< u itself
};
const char* to_string(SoftHebbActivation activation);
const std::vector<SoftHebbActivation>& all_soft_hebb_activations();

namespace soft_hebb {

/// The post-synaptic signal y [N, O] of the soft winner-take-all competition over u [N, O].
at::Tensor competition(const at::Tensor& u, double temperature, bool anti_hebbian);

/// The SoftHebb weight change dw [O, I] for inputs x [N, I], weights w [O, I] and
/// pre-activations u [N, O] (see the file comment); `normalize` divides it by max |dw|.
at::Tensor weight_change(const at::Tensor& w, const at::Tensor& x, const at::Tensor& u,
                         double temperature, bool anti_hebbian, bool normalize);

/// Per-neuron learning rates [O, 1] for weights w [O, I]: eta * |‖w_k‖ - 1|^power when
/// `adaptive`, eta otherwise.
at::Tensor learning_rates(const at::Tensor& w, double eta, bool adaptive, double power);

/// The output nonlinearity over the units' dimension `dim` of u.
at::Tensor activate(const at::Tensor& u, SoftHebbActivation activation, double triangle_power,
                    int64_t dim);

} // namespace soft_hebb

} // namespace engram::layers

namespace engram::layers::soft_hebb {

/// Checks the rule's options that SoftHebbLinearOptions and SoftHebbConv2dOptions share; errors
/// name `layer` and the option.
template <typename Options>
void check_rule_options(const char* layer, const Options& o);

} // namespace engram::layers::soft_hebb

#include <c10/util/Exception.h>

#include <cmath>

template <typename Options>
void engram::layers::soft_hebb::check_rule_options(const char* layer, const Options& o) {
  TORCH_CHECK(std::isfinite(o.temperature()) && o.temperature() > 0.0, layer,
              ": option 'temperature' expected finite and > 0, got ", o.temperature());
  TORCH_CHECK(std::isfinite(o.learning_rate()) && o.learning_rate() >= 0.0, layer,
              ": option 'learning_rate' expected finite and >= 0, got ", o.learning_rate());
  TORCH_CHECK(std::isfinite(o.learning_rate_power()) && o.learning_rate_power() > 0.0 &&
                  o.learning_rate_power() <= 4.0,
              layer, ": option 'learning_rate_power' expected in (0, 4], got ",
              o.learning_rate_power());
  TORCH_CHECK(std::isfinite(o.init_radius()) && o.init_radius() > 0.0, layer,
              ": option 'init_radius' expected finite and > 0, got ", o.init_radius());
  TORCH_CHECK(std::isfinite(o.triangle_power()) && o.triangle_power() > 0.0 &&
                  o.triangle_power() <= 4.0,
              layer, ": option 'triangle_power' expected in (0, 4], got ", o.triangle_power());
}
