#pragma once
// A T-maze: a corridor of `corridor_length` cells ending in a junction, with one arm to the left
// and one to the right. The reward sits at the end of one arm and can be switched between
// episodes (continual RL: the agent must notice and re-adapt). Actions: 0 = forward, 1 = left,
// 2 = right. In the corridor, left/right bump into the wall; at the junction, forward bumps and
// left/right enter the arm, which ends the episode with `reward` (rewarded arm) or `wrong_reward`.
// Every step before that pays `step_reward`; `max_steps` (0: unlimited) truncates.
// Observation: Discrete(corridor_length + 2): corridor cells 0..L-1, then left end, right end.

#include <engram/rl/environments/environment.h>

namespace engram::rl {

enum class MazeSide : int64_t { kLeft = 0, kRight = 1 };

struct TMazeOptions {
  int64_t corridor_length = 3;
  MazeSide reward_side = MazeSide::kLeft;
  double reward = 1.0;
  double wrong_reward = 0.0;
  double step_reward = 0.0;
  int64_t max_steps = 50;
};

class TMaze : public Environment {
public:
  enum Action : int64_t { kForward = 0, kLeft = 1, kRight = 2 };

  explicit TMaze(TMazeOptions options = {}, uint64_t seed = 0);

  Space observation_space() const override { return Space::discrete(options_.corridor_length + 2); }
  Space action_space() const override { return Space::discrete(3); }
  std::string name() const override { return "TMaze"; }

  void set_reward_side(MazeSide side) { options_.reward_side = side; }
  void switch_reward_side();
  MazeSide reward_side() const { return options_.reward_side; }
  int64_t junction() const { return options_.corridor_length - 1; }
  int64_t arm_end(MazeSide side) const {
    return options_.corridor_length + static_cast<int64_t>(side);
  }
  // Side entered in the last finished episode; meaningful only after it ended in an arm.
  MazeSide chosen_side() const { return chosen_side_; }
  int64_t position() const { return position_; }
  const TMazeOptions& options() const { return options_; }

protected:
  Observation reset_impl() override;
  StepResult step_impl(int64_t action) override;

private:
  TMazeOptions options_;
  int64_t position_ = 0;
  MazeSide chosen_side_ = MazeSide::kLeft;
};

} // namespace engram::rl
