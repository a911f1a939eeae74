#include <engram/ops/detail/plastic_rnn_checks.h>

#include <engram/ops/detail/op_checks.h>

#include <cmath>

namespace engram::ops {

int64_t default_plastic_rnn_chunk(int64_t T) {
  // ≈ T^{1/4} checkpoints of ≈ T^{3/4} steps: saved memory grows like T^{1/4} (the backward
  // re-checkpoints a chunk every ≈ √chunk steps in per-thread buffers).
  if (T <= 1) {
    return 1;
  }
  const auto checkpoints =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::pow(static_cast<double>(T), 0.25))));
  return (T + checkpoints - 1) / checkpoints;
}

namespace detail {

PlasticRnnDims check_plastic_rnn(const char* fn, const at::Tensor& x, const at::Tensor& h0,
                                 const at::Tensor& H0, const at::Tensor& W_in, const at::Tensor& W,
                                 const at::Tensor& alpha, const at::Tensor& b,
                                 const at::Tensor& eta, const PlasticRnnModulationInputs& mod,
                                 const PlasticRnnOptions& options) {
  PlasticRnnDims d;
  check_hebbian_rule(fn, options.rule(), {HebbianRule::kHebb, HebbianRule::kOja});
  check_dim(fn, "x", x, 3);
  check_floating(fn, "x", x);
  d.T = x.size(0);
  d.B = x.size(1);
  d.I = x.size(2);
  check_dim(fn, "h0", h0, 2);
  check_like(fn, "h0", h0, "x", x);
  d.N = h0.size(1);
  check_sizes(fn, "h0", h0, {d.B, d.N});
  check_like(fn, "H0", H0, "x", x);
  check_sizes(fn, "H0", H0, {d.B, d.N, d.N});
  if (W_in.defined()) {
    check_like(fn, "W_in", W_in, "x", x);
    check_sizes(fn, "W_in", W_in, {d.N, d.I});
  } else {
    TORCH_CHECK(d.I == d.N, fn, ": argument 'x' expected last dimension N = ", d.N,
                " when 'W_in' is undefined (pre-projected input), got shape ", shape_string(x));
  }
  check_like(fn, "W", W, "x", x);
  check_sizes(fn, "W", W, {d.N, d.N});
  check_like(fn, "alpha", alpha, "x", x);
  if (alpha.dim() == 2) {
    check_sizes(fn, "alpha", alpha, {d.N, d.N});
    d.alpha_shape = AlphaShape::kPerConnection;
  } else if (alpha.dim() == 1 && alpha.size(0) == d.N && d.N != 1) {
    d.alpha_shape = AlphaShape::kPerNeuron;
  } else {
    TORCH_CHECK(alpha.numel() == 1 && alpha.dim() <= 1, fn, ": argument 'alpha' expected shape [",
                d.N, ", ", d.N, "], [", d.N, "] or a scalar, got ", shape_string(alpha));
    d.alpha_shape = AlphaShape::kScalar;
  }
  check_like(fn, "b", b, "x", x);
  check_sizes(fn, "b", b, {d.N});
  check_like(fn, "eta", eta, "x", x);
  check_rate(fn, "eta", eta);
  check_clip(fn, options.clip());
  if (options.chunk_size()) {
    TORCH_CHECK(*options.chunk_size() >= 1, fn, ": option 'chunk_size' expected >= 1, got ",
                *options.chunk_size());
    d.chunk = *options.chunk_size();
  } else {
    d.chunk = default_plastic_rnn_chunk(d.T);
  }
  d.chunk = std::max<int64_t>(1, std::min(d.chunk, std::max<int64_t>(d.T, 1)));

  d.modulated = options.modulation() != Modulation::kNone;
  if (options.modulation() == Modulation::kRetroactive) {
    if (mod.E0.defined()) {
      check_like(fn, "E0", mod.E0, "x", x);
      check_sizes(fn, "E0", mod.E0, {d.B, d.N, d.N});
    }
  } else {
    TORCH_CHECK(!mod.E0.defined(), fn,
                ": argument 'E0' expected undefined unless modulation is 'retroactive', got "
                "a tensor with modulation '",
                to_string(options.modulation()), "'");
  }
  if (d.modulated) {
    if (mod.m.defined()) {
      check_like(fn, "m", mod.m, "x", x);
      check_sizes(fn, "m", mod.m, {d.T, d.B});
      TORCH_CHECK(!mod.w_m.defined() && !mod.b_m.defined(), fn,
                  ": arguments 'w_m'/'b_m' expected undefined when 'm' is given, got a tensor");
      d.given_m = true;
    } else {
      TORCH_CHECK(mod.w_m.defined(), fn, ": argument 'w_m' expected a [", d.N,
                  "] tensor when modulation is '", to_string(options.modulation()),
                  "' and 'm' is not given, got undefined");
      check_like(fn, "w_m", mod.w_m, "x", x);
      check_sizes(fn, "w_m", mod.w_m, {d.N});
      if (mod.b_m.defined()) {
        check_like(fn, "b_m", mod.b_m, "x", x);
        check_scalar_shape(fn, "b_m", mod.b_m);
      }
    }
  } else {
    TORCH_CHECK(!mod.m.defined() && !mod.w_m.defined() && !mod.b_m.defined(), fn,
                ": arguments 'm'/'w_m'/'b_m' expected undefined when modulation is 'none', got "
                "a tensor");
  }
  return d;
}

} // namespace detail
} // namespace engram::ops
