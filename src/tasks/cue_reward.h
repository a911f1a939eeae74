#pragma once
// Cue-reward association (in the spirit of Miconi et al. 2019, "Backpropamine"): in each episode
// one of several cues is secretly rewarded. A trial is three steps: a random cue is shown (cue
// step), the agent answers take / abstain (response step, no input), then the outcome of that cue
// arrives (+1 rewarded, -1/(cues-1) not) on a separate input channel (feedback step). The agent
// earns p * outcome, p its probability of taking at the response step. Blind taking and abstaining
// both earn 0 on average: only learning, within the episode, which cue pays earns more, at best
// 1/cues per trial (taking exactly the rewarded cue).
//
// The response comes one step after the cue so that the cue's network state reaches the answer
// through the recurrent weights W + alpha * H, where the episode's plasticity lives; the reward
// comes one step later still, after the co-activity it should reinforce: the delay an eligibility
// trace bridges.

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace engram::tasks {

struct CueRewardOptions {
  int64_t cues = 4;
  int64_t trials = 20;
};

inline constexpr int64_t kCueRewardStepsPerTrial = 3; // cue, response, feedback

struct CueRewardBatch {
  at::Tensor inputs;   // [3 * trials, B, cues + 1]: cue one-hot, nothing, outcome
  at::Tensor outcomes; // [trials, B]: +1 when the trial's cue is the rewarded one, else -1/(cues-1)
};

// Input size of the task: the cue one-hot plus the outcome channel.
inline int64_t cue_reward_input_size(const CueRewardOptions& options) {
  return options.cues + 1;
}

CueRewardBatch make_cue_reward_batch(const CueRewardOptions& options, int64_t batch_size);

// Expected reward per trial, [trials, B], of decision logits [3 * trials, B] (read at the response
// steps): sigmoid(logit) * outcome.
at::Tensor expected_reward(const at::Tensor& logits, const CueRewardBatch& batch);

} // namespace engram::tasks
