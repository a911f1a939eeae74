#include <engram/layers/plastic/tasks/pattern_completion.h>

#include <ATen/ATen.h>

namespace engram::layers::tasks {

int64_t episode_length(const PatternCompletionOptions& o) {
  return o.cycles * o.patterns * (o.show_steps + o.gap_steps) + o.probe_steps;
}

PatternCompletionBatch make_pattern_completion_batch(const PatternCompletionOptions& o,
                                                     int64_t batch_size) {
  TORCH_CHECK(o.patterns > 0 && o.bits > 1 && o.cycles > 0 && o.show_steps > 0 &&
                  o.gap_steps >= 0 && o.probe_steps > 0,
              "make_pattern_completion_batch: argument 'options' expected positive sizes, got ",
              o.patterns, " patterns of ", o.bits, " bits");
  TORCH_CHECK(batch_size > 0,
              "make_pattern_completion_batch: argument 'batch_size' expected > 0, got ",
              batch_size);
  const auto patterns =
      at::randint(0, 2, {batch_size, o.patterns, o.bits}).mul_(2).sub_(1).to(at::kFloat);
  auto inputs = at::zeros({episode_length(o), batch_size, o.bits});
  int64_t t = 0;
  for (int64_t c = 0; c < o.cycles; ++c) {
    for (int64_t p = 0; p < o.patterns; ++p) {
      inputs.narrow(0, t, o.show_steps).copy_(patterns.select(1, p).unsqueeze(0));
      t += o.show_steps + o.gap_steps;
    }
  }
  const auto probed = at::randint(0, o.patterns, {batch_size});
  const auto targets = patterns.index({at::arange(batch_size), probed});
  // Exactly half of each probe's bits are erased.
  const at::Tensor ranks =
      at::rand({batch_size, o.bits}).argsort(/*dim=*/1, /*descending=*/false).argsort(1, false);
  const at::Tensor erased = ranks.lt(o.bits / 2);
  inputs.narrow(0, t, o.probe_steps).copy_((targets * erased.logical_not()).unsqueeze(0));
  return {inputs, targets, erased};
}

double erased_bit_error(const at::Tensor& outputs, const PatternCompletionBatch& batch) {
  TORCH_CHECK(outputs.sizes() == batch.targets.sizes(),
              "erased_bit_error: argument 'outputs' expected shape ", batch.targets.sizes(),
              ", got ", outputs.sizes());
  const auto wrong = outputs.sign().ne(batch.targets).logical_and(batch.erased);
  return wrong.sum().item<double>() / batch.erased.sum().item<double>();
}

} // namespace engram::layers::tasks
