#pragma once
// Modern (continuous, dense) Hopfield retrieval (Ramsauer et al. 2021, "Hopfield Networks is All
// You Need"): with stored patterns X (rows), a state xi is updated by
//     xi <- X^T softmax(beta X xi)
// until ||delta xi|| < eps or a step limit. The energy's minima sit near the stored patterns and
// the capacity is exponential in the pattern size; at large beta one update usually suffices.
// Differentiable in the query (and in the patterns when passed explicitly).
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace engram::layers::memory {

struct HopfieldRetrievalOptions {
  explicit HopfieldRetrievalOptions(int64_t pattern_size) : pattern_size_(pattern_size) {}
  /// Size d of each pattern (and of the queries).
  TORCH_ARG(int64_t, pattern_size);
  /// Inverse temperature beta > 0.
  TORCH_ARG(double, beta) = 1.0;
  /// Upper bound on the number of updates (>= 1).
  TORCH_ARG(int64_t, max_steps) = 10;
  /// Stop once every row moved by less than this (Euclidean norm).
  TORCH_ARG(double, eps) = 1e-6;
};

struct HopfieldRetrievalResult {
  at::Tensor state;       // [B, d] retrieved patterns
  int64_t steps = 0;      // updates made
  bool converged = false; // the last update moved every row by less than eps
};

/// Modern Hopfield retrieval over stored patterns (a buffer) or patterns passed per call.
///
/// Example:
/// ```
/// HopfieldRetrieval hopfield(HopfieldRetrievalOptions(/*pattern_size=*/16).beta(8.0));
/// hopfield->store(torch::randn({10, 16}));
/// at::Tensor retrieved = hopfield(torch::randn({3, 16})); // [3, 16]
/// ```
class HopfieldRetrievalImpl : public torch::nn::Cloneable<HopfieldRetrievalImpl> {
public:
  explicit HopfieldRetrievalImpl(int64_t pattern_size)
      : HopfieldRetrievalImpl(HopfieldRetrievalOptions(pattern_size)) {}
  explicit HopfieldRetrievalImpl(HopfieldRetrievalOptions options_);

  /// Registers the (empty) patterns buffer, then calls reset_parameters().
  void reset() override;
  /// Forgets the stored patterns (the module has no parameters).
  void reset_parameters();

  /// Stores patterns [N, d] (a buffer: saved, loaded and moved with the module).
  void store(const at::Tensor& patterns);
  const at::Tensor& patterns() const { return patterns_; }

  /// Iterates the update from query [B, d] (or [d]) over the stored patterns.
  HopfieldRetrievalResult retrieve(const at::Tensor& query) const;
  /// The same over explicit patterns [N, d] or per-batch patterns [B, N, d].
  HopfieldRetrievalResult retrieve(const at::Tensor& query, const at::Tensor& patterns) const;
  /// retrieve(query).state.
  at::Tensor forward(const at::Tensor& query) { return retrieve(query).state; }

  /// E(xi) = -lse(beta, X xi) + 0.5 xi^T xi, per row [B] (constant terms dropped).
  at::Tensor energy(const at::Tensor& state) const;

  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  HopfieldRetrievalOptions options;

private:
  at::Tensor patterns_;
};

/// A `ModuleHolder` subclass for `HopfieldRetrievalImpl`.
TORCH_MODULE(HopfieldRetrieval);

} // namespace engram::layers::memory
