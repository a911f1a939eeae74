#include <engram/layers/hebbian/local_rules.h>

#include <ATen/ATen.h>

namespace engram::layers::rules {
namespace {
double inverse_batch(const at::Tensor& x) {
  return 1.0 / static_cast<double>(x.size(0));
}
} // namespace

at::Tensor hebb(const at::Tensor& x, const at::Tensor& y) {
  return at::matmul(y.t(), x).mul_(inverse_batch(x));
}

at::Tensor oja(const at::Tensor& w, const at::Tensor& x, const at::Tensor& y) {
  // sum_b y_bj x_b - (sum_b y_bj^2) W_j
  auto d = at::matmul(y.t(), x);
  d.sub_(w * y.square().sum(0).unsqueeze(1));
  return d.mul_(inverse_batch(x));
}

at::Tensor sanger(const at::Tensor& w, const at::Tensor& x, const at::Tensor& y) {
  auto d = at::matmul(y.t(), x);
  d.sub_(at::matmul(at::tril(at::matmul(y.t(), y)), w));
  return d.mul_(inverse_batch(x));
}

at::Tensor bcm(const at::Tensor& x, const at::Tensor& y, const at::Tensor& theta) {
  const auto post = y * (y - theta.unsqueeze(0));
  return at::matmul(post.t(), x).mul_(inverse_batch(x));
}

at::Tensor covariance(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mean_x,
                      const at::Tensor& mean_y) {
  return at::matmul((y - mean_y.unsqueeze(0)).t(), x - mean_x.unsqueeze(0)).mul_(inverse_batch(x));
}

at::Tensor competitive(const at::Tensor& w, const at::Tensor& x, const at::Tensor& u,
                       const at::Tensor& g) {
  auto d = at::matmul(g.t(), x);
  d.sub_(w * (g * u).sum(0).unsqueeze(1));
  return d.mul_(inverse_batch(x));
}

} // namespace engram::layers::rules
