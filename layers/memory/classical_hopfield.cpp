#include <engram/layers/memory/classical_hopfield.h>

#include <ATen/Parallel.h>

#include <ostream>

namespace engram::layers::memory {

ClassicalHopfieldImpl::ClassicalHopfieldImpl(ClassicalHopfieldOptions options_)
    : options(std::move(options_)) {
  TORCH_CHECK(options.size() > 0, "ClassicalHopfield: argument 'size' expected > 0, got ",
              options.size());
  TORCH_CHECK(options.max_sweeps() >= 1,
              "ClassicalHopfield: argument 'max_sweeps' expected >= 1, got ", options.max_sweeps());
  reset();
}

void ClassicalHopfieldImpl::reset() {
  weight_ = register_buffer("weight", at::zeros({options.size(), options.size()}));
  stored_ = register_buffer("stored", at::zeros({}, at::kLong));
  reset_parameters();
}

void ClassicalHopfieldImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  weight_.zero_();
  stored_.zero_();
}

void ClassicalHopfieldImpl::check_states(const char* fn, const char* arg,
                                         const at::Tensor& s) const {
  TORCH_CHECK(s.dim() == 2 && s.size(1) == options.size(), "ClassicalHopfield::", fn,
              ": argument '", arg, "' expected [B, ", options.size(), "], got ", s.sizes());
  TORCH_CHECK(s.abs().eq(1).all().item<bool>(), "ClassicalHopfield::", fn, ": argument '", arg,
              "' expected entries of +1 or -1");
}

void ClassicalHopfieldImpl::store(const at::Tensor& patterns) {
  check_states("store", "patterns", patterns);
  at::NoGradGuard no_grad;
  const at::Tensor p = patterns.to(weight_.options());
  weight_.copy_(at::mm(p.t(), p) / static_cast<double>(options.size()));
  weight_.fill_diagonal_(0);
  stored_.fill_(patterns.size(0));
}

ClassicalHopfieldResult ClassicalHopfieldImpl::recall(const at::Tensor& probe) const {
  check_states("recall", "probe", probe);
  at::NoGradGuard no_grad;
  const int64_t n = options.size(), batch = probe.size(0);
  const at::Tensor w = weight_.to(at::kCPU, at::kFloat).contiguous();
  // A copy: recall updates it in place and must not touch the caller's probe.
  at::Tensor state =
      probe.to(at::kCPU, at::kFloat, /*non_blocking=*/false, /*copy=*/true).contiguous();
  const float* wp = w.data_ptr<float>();
  float* sp = state.data_ptr<float>();
  ClassicalHopfieldResult result;
  std::vector<char> settled(batch, 0);
  for (int64_t sweep = 0; sweep < options.max_sweeps(); ++sweep) {
    const at::Tensor order = at::randperm(n, at::TensorOptions().dtype(at::kLong));
    const int64_t* op = order.data_ptr<int64_t>();
    at::parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        if (settled[b])
          continue;
        float* s = sp + b * n;
        bool changed = false;
        for (int64_t k = 0; k < n; ++k) {
          const int64_t i = op[k];
          const float* row = wp + i * n; // W is symmetric: row i is column i
          double field = 0.0;
          for (int64_t j = 0; j < n; ++j)
            field += static_cast<double>(row[j]) * s[j];
          const float next = field > 0 ? 1.f : (field < 0 ? -1.f : s[i]);
          changed = changed || next != s[i];
          s[i] = next;
        }
        if (!changed)
          settled[b] = 1;
      }
    });
    result.sweeps = sweep + 1;
    if (std::all_of(settled.begin(), settled.end(), [](char c) { return c != 0; })) {
      result.converged = true;
      break;
    }
  }
  result.state = state.to(probe.options());
  return result;
}

at::Tensor ClassicalHopfieldImpl::energy(const at::Tensor& state) const {
  TORCH_CHECK(state.dim() == 2 && state.size(1) == options.size(),
              "ClassicalHopfield::energy: argument 'state' expected [B, ", options.size(),
              "], got ", state.sizes());
  const at::Tensor s = state.to(weight_.options());
  return -0.5 * (at::mm(s, weight_) * s).sum(-1);
}

void ClassicalHopfieldImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::ClassicalHopfield(size=" << options.size()
         << ", max_sweeps=" << options.max_sweeps() << ", stored=" << stored() << ")";
}

} // namespace engram::layers::memory
