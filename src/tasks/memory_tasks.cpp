#include <engram/tasks/memory_tasks.h>

#include <cmath>
#include <limits>

namespace engram::tasks {

at::Tensor random_sign_patterns(int64_t n, int64_t d) {
  TORCH_CHECK(n > 0 && d > 0, "random_sign_patterns: arguments 'n' and 'd' expected > 0, got ", n,
              " and ", d);
  return at::randint(2, {n, d}, at::TensorOptions().dtype(at::kFloat)) * 2 - 1;
}

at::Tensor flip_bits(const at::Tensor& patterns, double fraction) {
  TORCH_CHECK(patterns.dim() == 2, "flip_bits: argument 'patterns' expected [n, d], got ",
              patterns.sizes());
  TORCH_CHECK(fraction >= 0.0 && fraction <= 1.0,
              "flip_bits: argument 'fraction' expected in [0, 1], got ", fraction);
  const int64_t n = patterns.size(0), d = patterns.size(1);
  const auto flips = static_cast<int64_t>(std::lround(fraction * static_cast<double>(d)));
  // The first `flips` positions of a random permutation per row.
  const at::Tensor order = at::rand({n, d}).argsort(/*dim=*/int64_t{1}, /*descending=*/false);
  const at::Tensor chosen = order.narrow(1, 0, flips);
  at::Tensor sign = at::ones_like(patterns);
  sign.scatter_(1, chosen, -1.0);
  return patterns * sign;
}

double exact_recall(const at::Tensor& state, const at::Tensor& patterns) {
  TORCH_CHECK(patterns.dim() == 2 && state.sizes() == patterns.sizes(),
              "exact_recall: arguments 'state' and 'patterns' expected the same [n, d] sizes, got ",
              state.sizes(), " and ", patterns.sizes());
  return state.sign().eq(patterns).all(1).to(at::kFloat).mean().item<double>();
}

double nearest_pattern_bound(const at::Tensor& probes, const at::Tensor& patterns,
                             bool count_ties) {
  TORCH_CHECK(patterns.dim() == 2 && probes.sizes() == patterns.sizes(),
              "nearest_pattern_bound: arguments 'probes' and 'patterns' expected the same [n, d] "
              "sizes, got ",
              probes.sizes(), " and ", patterns.sizes());
  const at::Tensor overlaps = at::mm(probes, patterns.t());
  const at::Tensor own = overlaps.diagonal().unsqueeze(1);
  // Mask the diagonal out so that a probe competes only with the other patterns.
  const at::Tensor others = overlaps.masked_fill(at::eye(patterns.size(0), at::kBool),
                                                 -std::numeric_limits<double>::infinity());
  const at::Tensor beaten = count_ties ? others.le(own) : others.lt(own);
  return beaten.all(1).to(at::kFloat).mean().item<double>();
}

SequenceBatch delayed_copy(int64_t batch, int64_t length, int64_t alphabet, int64_t delay,
                           int64_t distractors) {
  TORCH_CHECK(batch > 0 && length > 0 && alphabet > 1 && delay >= 0 && distractors >= 0,
              "delayed_copy: expected batch > 0, length > 0, alphabet > 1, delay >= 0, "
              "distractors >= 0, got ",
              batch, ", ", length, ", ", alphabet, ", ", delay, ", ", distractors);
  const int64_t steps = 2 * length + delay + 1;
  const int64_t blank = alphabet, go = alphabet + 1;
  const at::Tensor symbols = at::randint(alphabet, {length, batch}, at::kLong);
  at::Tensor tokens = at::full({steps, batch}, blank, at::kLong);
  tokens.narrow(0, 0, length).copy_(symbols);
  if (distractors > 0 && delay > 0) {
    tokens.narrow(0, length, delay)
        .copy_(at::randint(distractors, {delay, batch}, at::kLong) + alphabet + 2);
  }
  tokens[length + delay].fill_(go);
  SequenceBatch out;
  out.inputs = at::one_hot(tokens, alphabet + 2 + distractors).to(at::kFloat);
  out.targets = at::zeros({steps, batch}, at::kLong);
  out.targets.narrow(0, steps - length, length).copy_(symbols);
  out.mask = at::zeros({steps, batch}, at::kBool);
  out.mask.narrow(0, steps - length, length).fill_(true);
  return out;
}

at::Tensor masked_cross_entropy(const at::Tensor& logits, const SequenceBatch& batch) {
  TORCH_CHECK(logits.dim() == 3 && logits.sizes().slice(0, 2) == batch.targets.sizes(),
              "masked_cross_entropy: argument 'logits' expected [T, B, C] with [T, B] = ",
              batch.targets.sizes(), ", got ", logits.sizes());
  const at::Tensor losses = at::cross_entropy_loss(
      logits.reshape({-1, logits.size(-1)}), batch.targets.reshape({-1}), {}, at::Reduction::None);
  const at::Tensor mask = batch.mask.reshape({-1}).to(losses.scalar_type());
  return (losses * mask).sum() / mask.sum();
}

double masked_accuracy(const at::Tensor& logits, const SequenceBatch& batch) {
  TORCH_CHECK(logits.dim() == 3 && logits.sizes().slice(0, 2) == batch.targets.sizes(),
              "masked_accuracy: argument 'logits' expected [T, B, C] with [T, B] = ",
              batch.targets.sizes(), ", got ", logits.sizes());
  return logits.argmax(-1)
      .eq(batch.targets)
      .masked_select(batch.mask)
      .to(at::kFloat)
      .mean()
      .item<double>();
}

SequenceBatch n_back(int64_t batch, int64_t steps, int64_t alphabet, int64_t n) {
  TORCH_CHECK(batch > 0 && alphabet > 1 && n > 0 && steps > n,
              "n_back: expected batch > 0, alphabet > 1, n > 0, steps > n, got ", batch, ", ",
              alphabet, ", ", n, ", ", steps);
  at::Tensor tokens = at::randint(alphabet, {steps, batch}, at::kLong);
  const at::Tensor match = at::rand({steps, batch}) < 0.5;
  for (int64_t t = n; t < steps; ++t) {
    // A non-match is any other symbol, so matches occur with probability exactly 1/2.
    const at::Tensor other =
        (tokens[t - n] + at::randint(1, alphabet, {batch}, at::kLong)) % alphabet;
    tokens[t].copy_(at::where(match[t], tokens[t - n], other));
  }
  SequenceBatch out;
  out.inputs = at::one_hot(tokens, alphabet).to(at::kFloat);
  out.targets = match.to(at::kLong);
  out.mask = at::ones({steps, batch}, at::kBool);
  out.mask.narrow(0, 0, n).fill_(false);
  out.targets.narrow(0, 0, n).zero_();
  return out;
}

AssociativeRecallBatch associative_recall(int64_t batch, int64_t pairs, int64_t symbols) {
  TORCH_CHECK(batch > 0 && pairs > 0 && symbols >= pairs,
              "associative_recall: expected batch > 0, pairs > 0, symbols >= pairs, got ", batch,
              ", ", pairs, ", ", symbols);
  AssociativeRecallBatch out;
  out.keys = at::rand({batch, symbols})
                 .argsort(/*dim=*/int64_t{1}, /*descending=*/false)
                 .narrow(1, 0, pairs)
                 .contiguous();
  out.values = at::randint(symbols, {batch, pairs}, at::kLong);
  const at::Tensor which = at::randint(pairs, {batch, 1}, at::kLong);
  out.query = out.keys.gather(1, which).squeeze(1);
  out.answer = out.values.gather(1, which).squeeze(1);
  return out;
}

} // namespace engram::tasks
