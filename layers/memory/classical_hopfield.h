#pragma once
// The classical Hopfield network (Hopfield 1982): N binary (+-1) neurons, Hebbian outer-product
// weights W = (1/N) sum_p xi_p xi_p^T with a zero diagonal, asynchronous sign updates in random
// order until a full sweep changes nothing. The energy -0.5 s^T W s never increases, so recall
// always settles; stored patterns are stable only up to about 0.138 N patterns (Amit, Gutfreund &
// Sompolinsky 1985), beyond which recall collapses into spurious mixtures.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace engram::layers::memory {

struct ClassicalHopfieldOptions {
  explicit ClassicalHopfieldOptions(int64_t size) : size_(size) {}
  /// Number of neurons N.
  TORCH_ARG(int64_t, size);
  /// Upper bound on the asynchronous sweeps of recall (>= 1).
  TORCH_ARG(int64_t, max_sweeps) = 50;
};

struct ClassicalHopfieldResult {
  at::Tensor state;       // [B, N] of +-1
  int64_t sweeps = 0;     // sweeps made (the last one changed nothing when converged)
  bool converged = false; // every row reached a fixed point
};

class ClassicalHopfieldImpl : public torch::nn::Module {
public:
  explicit ClassicalHopfieldImpl(int64_t size)
      : ClassicalHopfieldImpl(ClassicalHopfieldOptions(size)) {}
  explicit ClassicalHopfieldImpl(ClassicalHopfieldOptions options);

  /// Hebbian storage of patterns [P, N] of +-1, replacing what was stored.
  void store(const at::Tensor& patterns);
  /// Asynchronous recall from probes [B, N] of +-1 (order drawn from the global generator).
  ClassicalHopfieldResult recall(const at::Tensor& probe) const;
  at::Tensor forward(const at::Tensor& probe) { return recall(probe).state; }
  /// E(s) = -0.5 s^T W s per row [B].
  at::Tensor energy(const at::Tensor& state) const;

  /// The theoretical capacity 0.138 N for recall from small distortions.
  double capacity() const { return 0.138 * static_cast<double>(options_.size()); }
  int64_t stored() const { return stored_; }
  const at::Tensor& weight() const { return weight_; }
  const ClassicalHopfieldOptions& options() const { return options_; }
  void pretty_print(std::ostream& stream) const override;

private:
  void check_states(const char* fn, const char* arg, const at::Tensor& s) const;

  ClassicalHopfieldOptions options_;
  at::Tensor weight_;
  int64_t stored_ = 0;
};

TORCH_MODULE(ClassicalHopfield);

} // namespace engram::layers::memory
