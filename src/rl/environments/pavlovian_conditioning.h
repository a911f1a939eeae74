#pragma once
// Pavlovian (classical) conditioning trials as in Schultz, Dayan & Montague (1997): each episode
// is one trial of `trial_length` time steps; a cue appears at `cue_time` and a reward of
// `reward_magnitude` arrives `reward_time` (on the step that reaches that time). With probability
// `omission_probability`, or when omit_next_reward() was called, the reward is withheld.
// Observation: the complete serial compound representation, one feature per time since cue
// onset (all zero before the cue), so a linear TD learner can learn the timing of the reward.
// The single action 0 does nothing: the animal only observes.

#include <engram/rl/environments/environment.h>

namespace engram::rl {

struct PavlovianConditioningOptions {
  int64_t trial_length = 25;
  int64_t cue_time = 5;
  int64_t reward_time = 15;
  double reward_magnitude = 1.0;
  double omission_probability = 0.0;
};

class PavlovianConditioning : public Environment {
public:
  explicit PavlovianConditioning(PavlovianConditioningOptions options = {}, uint64_t seed = 0);

  Space observation_space() const override;
  Space action_space() const override { return Space::discrete(1); }
  std::string name() const override { return "PavlovianConditioning"; }

  // Withholds the reward in the next trial that starts (a probe trial).
  void omit_next_reward() { omit_next_ = true; }
  // Whether the reward is withheld in the current trial.
  bool reward_omitted() const { return omitted_; }
  int64_t time() const { return time_; }
  const PavlovianConditioningOptions& options() const { return options_; }

protected:
  Observation reset_impl() override;
  StepResult step_impl(int64_t action) override;

private:
  Observation features() const;

  PavlovianConditioningOptions options_;
  int64_t time_ = 0;
  bool omit_next_ = false;
  bool omitted_ = false;
};

} // namespace engram::rl
