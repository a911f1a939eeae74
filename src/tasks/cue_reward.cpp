#include <engram/tasks/cue_reward.h>

#include <ATen/ATen.h>

namespace engram::tasks {

CueRewardBatch make_cue_reward_batch(const CueRewardOptions& o, int64_t batch_size) {
  TORCH_CHECK(o.cues >= 2 && o.trials > 0,
              "make_cue_reward_batch: argument 'options' expected cues >= 2 and trials > 0, got ",
              o.cues, " cues, ", o.trials, " trials");
  TORCH_CHECK(batch_size > 0, "make_cue_reward_batch: argument 'batch_size' expected > 0, got ",
              batch_size);
  const auto rewarded = at::randint(0, o.cues, {1, batch_size});
  const auto shown = at::randint(0, o.cues, {o.trials, batch_size});
  // Unrewarded cues cost 1 / (cues - 1): taking cues blindly earns 0 on average, as abstaining,
  // so only within-episode learning pays.
  const auto hit = shown.eq(rewarded).to(at::kFloat);
  const auto outcomes =
      hit * (1.0 + 1.0 / static_cast<double>(o.cues - 1)) - 1.0 / static_cast<double>(o.cues - 1);
  const auto steps = kCueRewardStepsPerTrial * o.trials;
  auto inputs = at::zeros({steps, batch_size, o.cues + 1});
  inputs.slice(0, 0, steps, kCueRewardStepsPerTrial).scatter_(2, shown.unsqueeze(2), 1.0);
  inputs.slice(0, 2, steps, kCueRewardStepsPerTrial).select(2, o.cues).copy_(outcomes);
  return {inputs, outcomes};
}

at::Tensor expected_reward(const at::Tensor& logits, const CueRewardBatch& batch) {
  const auto trials = batch.outcomes.size(0);
  TORCH_CHECK(logits.dim() == 2 && logits.size(0) == kCueRewardStepsPerTrial * trials &&
                  logits.size(1) == batch.outcomes.size(1),
              "expected_reward: argument 'logits' expected shape [",
              kCueRewardStepsPerTrial * trials, ", ", batch.outcomes.size(1), "], got ",
              logits.sizes());
  return at::sigmoid(logits.slice(0, 1, logits.size(0), kCueRewardStepsPerTrial)) * batch.outcomes;
}

} // namespace engram::tasks
