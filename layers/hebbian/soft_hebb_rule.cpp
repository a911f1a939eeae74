#include <engram/layers/hebbian/soft_hebb_rule.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::layers {

const char* to_string(SoftHebbActivation activation) {
  switch (activation) {
  case SoftHebbActivation::kTriangle:
    return "triangle";
  case SoftHebbActivation::kRelu:
    return "relu";
  case SoftHebbActivation::kNone:
    return "none";
  }
  return "?";
}

const std::vector<SoftHebbActivation>& all_soft_hebb_activations() {
  static const std::vector<SoftHebbActivation> v{
      SoftHebbActivation::kTriangle, SoftHebbActivation::kRelu, SoftHebbActivation::kNone};
  return v;
}

namespace soft_hebb {

at::Tensor competition(const at::Tensor& u, double temperature, bool anti_hebbian) {
  TORCH_CHECK(temperature > 0.0,
              "soft_hebb::competition: argument 'temperature' expected > 0, got ", temperature);
  const at::Tensor y = at::softmax(u / temperature, 1);
  if (!anti_hebbian) {
    return y;
  }
  // winner: +y, losers: -y
  const at::Tensor sign = at::full_like(y, -1.0).scatter_(1, u.argmax(1, true), 1.0);
  return y * sign;
}

at::Tensor weight_change(const at::Tensor& w, const at::Tensor& x, const at::Tensor& u,
                         double temperature, bool anti_hebbian, bool normalize) {
  const at::Tensor y = competition(u, temperature, anti_hebbian);
  // sum_n y_nk x_n - (sum_n y_nk u_nk) w_k
  at::Tensor dw = at::matmul(y.t(), x);
  dw.sub_(w * (y * u).sum(0).unsqueeze(1));
  if (normalize) {
    dw.div_(dw.abs().max().clamp_min(1e-30));
  }
  return dw;
}

at::Tensor learning_rates(const at::Tensor& w, double eta, bool adaptive, double power) {
  if (!adaptive) {
    return at::full({w.size(0), 1}, eta, w.options());
  }
  const at::Tensor radius = w.flatten(1).norm(2, {1}, /*keepdim=*/true);
  return eta * (radius - 1.0).abs().add_(1e-10).pow_(power);
}

at::Tensor activate(const at::Tensor& u, SoftHebbActivation activation, double triangle_power,
                    int64_t dim) {
  switch (activation) {
  case SoftHebbActivation::kTriangle: {
    at::Tensor t = at::relu(u - u.mean(dim, /*keepdim=*/true));
    return triangle_power == 1.0 ? t : t.pow(triangle_power);
  }
  case SoftHebbActivation::kRelu:
    return at::relu(u);
  case SoftHebbActivation::kNone:
    return u;
  }
  return u;
}

} // namespace soft_hebb

} // namespace engram::layers
