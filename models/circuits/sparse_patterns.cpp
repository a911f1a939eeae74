#include <engram/models/circuits/sparse_patterns.h>

#include <c10/util/Exception.h>

#include <cmath>

namespace engram::models::circuits {

at::Tensor k_winners_take_all(const at::Tensor& drive, int64_t k) {
  TORCH_CHECK(drive.dim() >= 1, "k_winners_take_all: argument 'drive' expected >= 1 dimension");
  TORCH_CHECK(k >= 1 && k <= drive.size(-1), "k_winners_take_all: argument 'k' expected in [1, ",
              drive.size(-1), "], got ", k);
  const at::Tensor winners = std::get<1>(drive.topk(k, -1));
  return at::zeros_like(drive).scatter_(-1, winners, 1.0);
}

at::Tensor random_sparse_patterns(int64_t n, int64_t size, int64_t active,
                                  at::Generator generator) {
  TORCH_CHECK(n >= 1 && size >= 1 && active >= 1 && active <= size,
              "random_sparse_patterns: expected n >= 1 and 1 <= active <= size, got n=", n,
              ", size=", size, ", active=", active);
  return k_winners_take_all(at::rand({n, size}, generator), active);
}

at::Tensor pattern_variants(const at::Tensor& patterns, double keep, at::Generator generator) {
  TORCH_CHECK(patterns.dim() == 2, "pattern_variants: argument 'patterns' expected [n, size], got ",
              patterns.sizes());
  TORCH_CHECK(keep >= 0 && keep <= 1, "pattern_variants: argument 'keep' expected in [0, 1], got ",
              keep);
  const at::Tensor p = patterns.to(at::kFloat);
  const int64_t active = p[0].sum().item<int64_t>();
  const auto kept = static_cast<int64_t>(std::lround(keep * static_cast<double>(active)));
  // Random scores: active units keep the top `kept` of theirs, the rest move to the best-scoring
  // inactive units.
  const at::Tensor score = at::rand(p.sizes(), generator);
  at::Tensor out = at::zeros_like(p);
  if (kept > 0)
    out = k_winners_take_all(score + 2 * p, kept) * p; // active units score highest
  if (active - kept > 0)
    out = out + k_winners_take_all(score + 2 * (1 - p), active - kept) * (1 - p);
  return out.to(patterns.dtype());
}

at::Tensor correlated_patterns(int64_t n, int64_t prototypes, int64_t size, int64_t active,
                               double keep, at::Generator generator) {
  TORCH_CHECK(prototypes >= 1, "correlated_patterns: argument 'prototypes' expected >= 1, got ",
              prototypes);
  const at::Tensor proto = random_sparse_patterns(prototypes, size, active, generator);
  const at::Tensor which = at::arange(n, at::kLong).remainder(prototypes);
  return pattern_variants(proto.index_select(0, which), keep, generator);
}

at::Tensor partial_cues(const at::Tensor& patterns, double fraction, at::Generator generator) {
  TORCH_CHECK(fraction >= 0 && fraction <= 1,
              "partial_cues: argument 'fraction' expected in [0, 1], got ", fraction);
  const at::Tensor p = patterns.to(at::kFloat);
  const int64_t active = p[0].sum().item<int64_t>();
  const auto kept = static_cast<int64_t>(std::lround(fraction * static_cast<double>(active)));
  if (kept == 0)
    return at::zeros_like(patterns);
  const at::Tensor score = at::rand(p.sizes(), generator);
  return (k_winners_take_all(score + 2 * p, kept) * p).to(patterns.dtype());
}

at::Tensor pattern_overlap(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "pattern_overlap: arguments 'a' ", a.sizes(), " and 'b' ",
              b.sizes(), " expected the same shape");
  const at::Tensor af = a.to(at::kFloat), bf = b.to(at::kFloat);
  return (af * bf).sum(-1) / af.sum(-1).clamp_min(1);
}

} // namespace engram::models::circuits
