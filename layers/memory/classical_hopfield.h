#pragma once
// The classical Hopfield network (Hopfield 1982): N binary (+-1) neurons, Hebbian outer-product
// weights W = (1/N) sum_p xi_p xi_p^T with a zero diagonal, asynchronous sign updates in random
// order until a full sweep changes nothing. The energy -0.5 s^T W s never increases, so recall
// always settles; stored patterns are stable only up to about 0.138 N patterns (Amit, Gutfreund &
// Sompolinsky 1985), beyond which recall collapses into spurious mixtures.
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
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

/// A classical (binary) Hopfield network: Hebbian storage and asynchronous recall. The weights
/// and the number of stored patterns are buffers, saved, loaded, cloned and moved with the module.
///
/// Example:
/// ```
/// ClassicalHopfield hopfield(ClassicalHopfieldOptions(/*size=*/64).max_sweeps(20));
/// const at::Tensor patterns = torch::randint(0, 2, {4, 64}).mul(2).sub(1);
/// hopfield->store(patterns);
/// at::Tensor recalled = hopfield(patterns); // [4, 64] of +-1: stored patterns are fixed points
/// ```
class ClassicalHopfieldImpl : public torch::nn::Cloneable<ClassicalHopfieldImpl> {
public:
  explicit ClassicalHopfieldImpl(int64_t size)
      : ClassicalHopfieldImpl(ClassicalHopfieldOptions(size)) {}
  explicit ClassicalHopfieldImpl(ClassicalHopfieldOptions options_);

  /// Registers the (zero) weight and stored-count buffers, then calls reset_parameters().
  void reset() override;
  /// Forgets every stored pattern: W = 0, stored() = 0.
  void reset_parameters();

  /// Hebbian storage of patterns [P, N] of +-1, replacing what was stored.
  void store(const at::Tensor& patterns);
  /// Asynchronous recall from probes [B, N] of +-1 (order drawn from the global generator).
  ClassicalHopfieldResult recall(const at::Tensor& probe) const;
  /// recall(probe).state.
  at::Tensor forward(const at::Tensor& probe) { return recall(probe).state; }
  /// E(s) = -0.5 s^T W s per row [B].
  at::Tensor energy(const at::Tensor& state) const;

  /// The theoretical capacity 0.138 N for recall from small distortions.
  double capacity() const { return 0.138 * static_cast<double>(options.size()); }
  /// Number of patterns stored by the last store().
  int64_t stored() const { return stored_.item<int64_t>(); }
  const at::Tensor& weight() const { return weight_; }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  ClassicalHopfieldOptions options;

private:
  void check_states(const char* fn, const char* arg, const at::Tensor& s) const;

  at::Tensor weight_;
  at::Tensor stored_; // buffer "stored": a scalar count
};

/// A `ModuleHolder` subclass for `ClassicalHopfieldImpl`.
TORCH_MODULE(ClassicalHopfield);

} // namespace engram::layers::memory
