#include <engram/layers/spiking/surrogate_spike.h>

#include <ATen/ATen.h>
#include <torch/autograd.h>

namespace engram::layers::spiking {
namespace {

class SpikeWithSurrogate : public torch::autograd::Function<SpikeWithSurrogate> {
public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& u,
                            double gamma) {
    ctx->save_for_backward({u});
    ctx->saved_data["gamma"] = gamma;
    return (u > 0).to(u.scalar_type());
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto u = ctx->get_saved_variables()[0];
    const double gamma = ctx->saved_data["gamma"].toDouble();
    const auto slope = gamma * at::clamp_min(1.0 - u.abs(), 0.0);
    return {grad_outputs[0] * slope, at::Tensor()};
  }
};

} // namespace

at::Tensor spike_with_surrogate(const at::Tensor& u, double gamma) {
  TORCH_CHECK(gamma > 0.0, "spike_with_surrogate: argument 'gamma' expected > 0, got ", gamma);
  TORCH_CHECK(u.defined() && u.is_floating_point(),
              "spike_with_surrogate: argument 'u' expected a floating-point tensor, got ",
              u.defined() ? c10::toString(u.scalar_type()) : "an undefined tensor");
  return SpikeWithSurrogate::apply(u, gamma);
}

at::Tensor spike_pseudo_derivative(const at::Tensor& v, const at::Tensor& threshold, double v_th,
                                   double gamma) {
  TORCH_CHECK(v_th > 0.0, "spike_pseudo_derivative: argument 'v_th' expected > 0, got ", v_th);
  TORCH_CHECK(gamma > 0.0, "spike_pseudo_derivative: argument 'gamma' expected > 0, got ", gamma);
  return gamma * at::clamp_min(1.0 - (v - threshold).abs() / v_th, 0.0) / v_th;
}

} // namespace engram::layers::spiking
