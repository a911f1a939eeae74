#pragma once
// Cue-reward association (in the spirit of Miconi et al. 2019, "Backpropamine"): in each episode
// one of several cues is secretly rewarded. Every trial shows a random cue (decision step), then
// the outcome of that cue (+1 rewarded, -1/(cues-1) not) as a separate input (feedback step). The
// agent earns p * outcome, p its probability of taking the cue at the decision step. Blind taking
// and abstaining both earn 0 on average: only learning, within the episode, which cue pays earns
// more, at best 1/cues per trial (taking exactly the rewarded cue).

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace engram::layers::tasks {

struct CueRewardOptions {
  int64_t cues = 4;
  int64_t trials = 20;
};

struct CueRewardBatch {
  at::Tensor inputs;   // [2 * trials, B, cues + 1]: cue one-hot at even steps, outcome at odd
  at::Tensor outcomes; // [trials, B]: +1 when the trial's cue is the rewarded one, else -1/(cues-1)
};

// Input size of the task: the cue one-hot plus the outcome channel.
inline int64_t cue_reward_input_size(const CueRewardOptions& options) {
  return options.cues + 1;
}

CueRewardBatch make_cue_reward_batch(const CueRewardOptions& options, int64_t batch_size);

// Expected reward per trial, [trials, B], of decision logits [2 * trials, B] (read at the even
// steps): sigmoid(logit) * outcome.
at::Tensor expected_reward(const at::Tensor& logits, const CueRewardBatch& batch);

} // namespace engram::layers::tasks
