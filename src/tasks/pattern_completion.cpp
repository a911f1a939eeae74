#include <engram/tasks/pattern_completion.h>

#include <ATen/ATen.h>

namespace engram::tasks {

int64_t episode_length(const PatternCompletionOptions& o) {
  return o.cycles * o.patterns * (o.show_steps + o.gap_steps) + o.probe_steps;
}

namespace {

// A random permutation of 0..n-1 along the last dimension of a [rows.., n] tensor.
at::Tensor random_permutations(at::IntArrayRef shape) {
  return at::rand(shape).argsort(/*dim=*/static_cast<int64_t>(-1), /*descending=*/false);
}

} // namespace

PatternCompletionBatch make_pattern_completion_batch(const PatternCompletionOptions& o,
                                                     int64_t batch_size) {
  TORCH_CHECK(o.patterns > 0 && o.bits > 1 && o.cycles > 0 && o.show_steps > 0 &&
                  o.gap_steps >= 0 && o.probe_steps > 0,
              "make_pattern_completion_batch: argument 'options' expected positive sizes, got ",
              o.patterns, " patterns of ", o.bits, " bits, ", o.cycles, " cycles, ", o.show_steps,
              " show steps, ", o.gap_steps, " gap steps, ", o.probe_steps, " probe steps");
  TORCH_CHECK(o.input_gain > 0,
              "make_pattern_completion_batch: option 'input_gain' expected > 0, got ",
              o.input_gain);
  TORCH_CHECK(batch_size > 0,
              "make_pattern_completion_batch: argument 'batch_size' expected > 0, got ",
              batch_size);
  // Balanced patterns: the first half of the bits of a permutation's rank are -1, the rest +1.
  const auto patterns = random_permutations({batch_size, o.patterns, o.bits})
                            .ge(o.bits / 2)
                            .to(at::kFloat)
                            .mul_(2)
                            .sub_(1);
  const auto rows = at::arange(batch_size).unsqueeze(1);
  auto inputs = at::zeros({episode_length(o), batch_size, o.bits});
  int64_t t = 0;
  for (int64_t c = 0; c < o.cycles; ++c) {
    const auto order = random_permutations({batch_size, o.patterns});
    const auto shown = patterns.index({rows, order}); // [B, patterns, bits]
    for (int64_t p = 0; p < o.patterns; ++p) {
      inputs.narrow(0, t, o.show_steps).copy_(shown.select(1, p).unsqueeze(0));
      t += o.show_steps + o.gap_steps;
    }
  }
  const auto probed = at::randint(0, o.patterns, {batch_size});
  const auto targets = patterns.index({at::arange(batch_size), probed});
  // Exactly half of each probe's bits are erased.
  const auto erased = random_permutations({batch_size, o.bits}).lt(o.bits / 2);
  inputs.narrow(0, t, o.probe_steps).copy_((targets * erased.logical_not()).unsqueeze(0));
  inputs.mul_(o.input_gain);
  return {inputs, targets, erased};
}

double erased_bit_error(const at::Tensor& outputs, const PatternCompletionBatch& batch) {
  TORCH_CHECK(outputs.sizes() == batch.targets.sizes(),
              "erased_bit_error: argument 'outputs' expected shape ", batch.targets.sizes(),
              ", got ", outputs.sizes());
  const auto wrong = outputs.sign().ne(batch.targets).logical_and(batch.erased);
  return wrong.sum().item<double>() / batch.erased.sum().item<double>();
}

} // namespace engram::tasks
