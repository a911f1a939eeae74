// Fused CPU forward of hebbian_update: one pass over H, parallel over rows of the trace; and its
// registration as the CPU kernel of engram::hebbian_update.
#include <engram/ops/detail/hebbian_update_device.h>
#include <engram/ops/detail/hebbian_update_kernel.h>

#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <limits>

namespace engram::ops::detail {
namespace {

template <typename S>
void forward_impl(const HebbianForwardArgs<S>& a) {
  const S eta = static_cast<S>(a.eta);
  const S c = a.clip > 0 ? static_cast<S>(a.clip) : std::numeric_limits<S>::infinity();
  const S decay = a.rule == HebbianRule::kHebb ? S(1) - eta : S(1);
  const int64_t I = a.I, O = a.O, B = a.B;
  const auto m_at = [&](int64_t b, int64_t j) -> S {
    if (!a.m) {
      return S(1);
    }
    return a.m_per_post ? a.m[b * O + j] : a.m[b];
  };
  const auto element = [&](int64_t b, int64_t i, int64_t j, S h) -> S {
    const S pm = a.pre_mean ? a.pre_mean[b * I + i] : S(0);
    const S qm = a.post_mean ? a.post_mean[b * O + j] : S(0);
    const S th = a.theta ? a.theta[b * O + j] : S(0);
    return m_at(b, j) *
           hebbian_increment(a.rule, a.pre[b * I + i], a.post[b * O + j], h, pm, qm, th);
  };
  // Tasks of at least ~GRAIN_SIZE / 8 trace elements: per-step updates of small layers (the RL
  // agents' B = 1) stay on one thread instead of paying a fork and join for a few hundred floats.
  const auto rows_per_task = [](int64_t work_per_row) {
    return std::max<int64_t>(1,
                             at::internal::GRAIN_SIZE / (8 * std::max<int64_t>(work_per_row, 1)));
  };
  if (!a.shared) {
    at::parallel_for(0, B * I, rows_per_task(O), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t b = r / I, i = r % I;
        const S* Hr = a.H + r * O;
        S* out = a.H_out + r * O;
        for (int64_t j = 0; j < O; ++j) {
          const S v = decay * Hr[j] + eta * element(b, i, j, Hr[j]);
          out[j] = std::min(std::max(v, -c), c);
        }
      }
    });
    return;
  }
  const S scale = B > 0 ? eta / static_cast<S>(B) : S(0);
  at::parallel_for(0, I, rows_per_task(B * O), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const S* Hr = a.H + i * O;
      S* out = a.H_out + i * O;
      for (int64_t j = 0; j < O; ++j) {
        S sum = 0;
        for (int64_t b = 0; b < B; ++b) {
          sum += element(b, i, j, Hr[j]);
        }
        const S v = decay * Hr[j] + scale * sum;
        out[j] = std::min(std::max(v, -c), c);
      }
    }
  });
}

} // namespace

void hebbian_update_forward_cpu(const HebbianForwardArgs<float>& a) {
  forward_impl(a);
}
void hebbian_update_forward_cpu(const HebbianForwardArgs<double>& a) {
  forward_impl(a);
}

namespace {

HebbianUpdateOutputs hebbian_update_cpu(const at::Tensor& H, const at::Tensor& pre,
                                        const at::Tensor& post, const at::Tensor& eta,
                                        const OptTensor& m, const OptTensor& pre_mean,
                                        const OptTensor& post_mean, const OptTensor& theta,
                                        c10::string_view rule, std::optional<double> clip,
                                        double mean_rate) {
  static const HebbianKernels kernels{
      static_cast<void (*)(const HebbianForwardArgs<float>&)>(&hebbian_update_forward_cpu),
      static_cast<void (*)(const HebbianForwardArgs<double>&)>(&hebbian_update_forward_cpu)};
  return hebbian_update_forward(H, pre, post, eta, m, pre_mean, post_mean, theta, rule, clip,
                                mean_rate, kernels);
}

} // namespace

TORCH_LIBRARY_IMPL(engram, CPU, m) {
  m.impl("hebbian_update", TORCH_FN(hebbian_update_cpu));
}

} // namespace engram::ops::detail
