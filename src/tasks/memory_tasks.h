#pragma once
// Generators of the standard working-memory and associative-memory tasks, shared by the tests,
// the example programs and the benchmarks. All draw from the global generator (torch::manual_seed
// makes them reproducible) and return CPU tensors.
#include <ATen/ATen.h>

namespace engram::tasks {

/// n random patterns of +-1 (float) of size d, [n, d].
at::Tensor random_sign_patterns(int64_t n, int64_t d);

/// Copies of +-1 patterns [n, d] with exactly round(fraction * d) distinct entries of each row
/// flipped.
at::Tensor flip_bits(const at::Tensor& patterns, double fraction);

/// Fraction of rows of `state` whose signs equal the matching row of `patterns` [n, d].
double exact_recall(const at::Tensor& state, const at::Tensor& patterns);
/// Fraction of `probes` [n, d] (probe i corrupts pattern i) whose own pattern has a strictly
/// larger overlap with them than every other pattern: what a nearest-pattern decoder surely gets
/// right. With `count_ties`, probes whose own pattern ties for the largest overlap count too
/// (an upper bound on nearest-pattern decoding; ties may be broken either way).
double nearest_pattern_bound(const at::Tensor& probes, const at::Tensor& patterns,
                             bool count_ties = false);

/// A batch of a sequence task, time-major: inputs [T, B, I] (float), targets [T, B] (int64) and
/// mask [T, B] (bool: the steps that are scored).
struct SequenceBatch {
  at::Tensor inputs, targets, mask;
};

/// Delayed copy: `length` symbols from `alphabet` are shown, then `delay` steps, then a go
/// marker, after which the symbols must be reproduced in order. The delay steps are blank, or,
/// with `distractors` > 0, show random symbols of a separate distractor alphabet that must be
/// ignored. Input channels: the alphabet, blank, go, the distractors (alphabet + 2 +
/// distractors). T = 2 * length + delay + 1; only the reproduction steps are scored.
SequenceBatch delayed_copy(int64_t batch, int64_t length, int64_t alphabet, int64_t delay,
                           int64_t distractors = 0);

/// Mean cross-entropy of logits [T, B, C] against the targets over the scored steps.
at::Tensor masked_cross_entropy(const at::Tensor& logits, const SequenceBatch& batch);
/// Fraction of the scored steps whose arg-max logit is the target.
double masked_accuracy(const at::Tensor& logits, const SequenceBatch& batch);

/// n-back: a stream of one-hot symbols; at every step t >= n the target is 1 when the symbol
/// equals the one n steps back (drawn to match with probability 1/2), else 0.
SequenceBatch n_back(int64_t batch, int64_t steps, int64_t alphabet, int64_t n);

/// Associative recall: `pairs` distinct key symbols with random value symbols (both from
/// `symbols`), and one of the keys as query. keys/values [B, pairs], query/answer [B] (int64).
struct AssociativeRecallBatch {
  at::Tensor keys, values, query, answer;
};
AssociativeRecallBatch associative_recall(int64_t batch, int64_t pairs, int64_t symbols);

} // namespace engram::tasks
