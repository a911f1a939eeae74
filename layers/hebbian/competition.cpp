#include <engram/layers/hebbian/competition.h>

#include <ATen/ATen.h>

namespace engram::layers::competition {

at::Tensor soft_wta(const at::Tensor& u, double temperature, double anti_hebbian) {
  TORCH_CHECK(temperature > 0.0, "soft_wta: argument 'temperature' expected > 0, got ",
              temperature);
  const auto s = at::softmax(u / temperature, 1);
  const auto winner = at::zeros_like(s).scatter_(1, s.argmax(1, true), 1.0);
  // winner: s;  losers: -anti_hebbian * s
  return s * (winner * (1.0 + anti_hebbian) - anti_hebbian);
}

at::Tensor hard_wta(const at::Tensor& u, int64_t rank, double delta) {
  TORCH_CHECK(rank >= 2 && rank <= u.size(1), "hard_wta: argument 'rank' expected in [2, ",
              u.size(1), "], got ", rank);
  const auto order = std::get<1>(at::topk(u, rank, 1));
  auto g = at::zeros_like(u);
  g.scatter_(1, order.narrow(1, 0, 1), 1.0);
  g.scatter_(1, order.narrow(1, rank - 1, 1), -delta);
  return g;
}

} // namespace engram::layers::competition
