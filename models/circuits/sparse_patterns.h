#pragma once
// Binary sparse activity patterns for the hippocampal models: random patterns of a fixed number of
// active units, variants that keep a given fraction of a pattern's active units, families of
// correlated patterns around shared prototypes, k-winners-take-all and the overlap measure.
#include <ATen/ATen.h>

#include <cstdint>

namespace engram::models::circuits {

/// k-winners-take-all along the last dimension: 1 for the k largest entries, 0 elsewhere
/// (k in [1, size]).
at::Tensor k_winners_take_all(const at::Tensor& drive, int64_t k);

/// n patterns [n, size] of 0/1 with exactly `active` ones each, drawn from `generator`.
at::Tensor random_sparse_patterns(int64_t n, int64_t size, int64_t active, at::Generator generator);

/// A variant of each pattern [n, size] that keeps round(keep * active) of its active units and
/// moves the others to inactive ones (the number of active units is kept); keep in [0, 1].
at::Tensor pattern_variants(const at::Tensor& patterns, double keep, at::Generator generator);

/// n correlated patterns: `prototypes` random prototypes, and pattern i a variant of prototype
/// i mod prototypes keeping the fraction `keep` of its active units.
at::Tensor correlated_patterns(int64_t n, int64_t prototypes, int64_t size, int64_t active,
                               double keep, at::Generator generator);

/// A partial cue: round(fraction * active) of each pattern's active units, the rest 0.
at::Tensor partial_cues(const at::Tensor& patterns, double fraction, at::Generator generator);

/// The overlap |a AND b| / |a| of 0/1 patterns, row by row [n] (a's active units found in b).
at::Tensor pattern_overlap(const at::Tensor& a, const at::Tensor& b);

} // namespace engram::models::circuits
