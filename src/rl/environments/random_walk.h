#pragma once
// The n-state random walk of Sutton & Barto (2nd ed., Example 6.2 and Figure 12.3): states 1..n in
// a row between terminal states 0 and n+1; every step moves left or right with probability 1/2;
// leaving on the left pays `left_reward`, on the right `right_reward`, every other step 0.
// Observation space Discrete(n+2) (terminals included, their value stays 0); one action (0).

#include <engram/rl/environments/environment.h>

#include <vector>

namespace engram::rl {

struct RandomWalkOptions {
  int64_t num_states = 19;
  double left_reward = -1.0;
  double right_reward = 1.0;
};

class RandomWalk : public Environment {
public:
  explicit RandomWalk(RandomWalkOptions options = {}, uint64_t seed = 0);

  Space observation_space() const override { return Space::discrete(options_.num_states + 2); }
  Space action_space() const override { return Space::discrete(1); }
  std::string name() const override { return "RandomWalk"; }

  int64_t start_state() const { return (options_.num_states + 1) / 2; }
  int64_t state() const { return state_; }
  // Undiscounted true values of states 0..n+1 (terminals 0): linear from left to right reward.
  std::vector<double> true_values() const;
  const RandomWalkOptions& options() const { return options_; }

protected:
  Observation reset_impl() override;
  StepResult step_impl(int64_t action) override;

private:
  RandomWalkOptions options_;
  int64_t state_ = 0;
};

} // namespace engram::rl
