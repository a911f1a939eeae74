#pragma once
// A rectangular gridworld with walls, a start cell and a goal cell that can be moved between
// episodes (set_goal), for non-stationary / continual control. Actions 0..3 = up, right, down,
// left; moving into a wall or the border leaves the agent in place. Reaching the goal pays
// `goal_reward` and terminates; every other step pays `step_reward`. Episodes longer than
// `max_steps` (0: unlimited) are truncated. Observation: the cell index row * width + col.

#include <engram/rl/environments/environment.h>

#include <vector>

namespace engram::rl {

struct GridworldOptions {
  int64_t width = 5;
  int64_t height = 5;
  int64_t start = 0; // cell index
  int64_t goal = 24; // cell index
  std::vector<int64_t> walls;
  double goal_reward = 1.0;
  double step_reward = 0.0;
  int64_t max_steps = 0;
};

class Gridworld : public Environment {
public:
  enum Action : int64_t { kUp = 0, kRight = 1, kDown = 2, kLeft = 3 };

  explicit Gridworld(GridworldOptions options = {}, uint64_t seed = 0);

  Space observation_space() const override {
    return Space::discrete(options_.width * options_.height);
  }
  Space action_space() const override { return Space::discrete(4); }
  std::string name() const override { return "Gridworld"; }

  // Moves the reward; takes effect immediately (also mid-episode).
  void set_goal(int64_t cell);
  int64_t goal() const { return options_.goal; }
  int64_t cell() const { return cell_; }
  bool is_wall(int64_t cell) const;
  // Fewest steps from the start to the goal (breadth-first search), -1 when unreachable.
  int64_t shortest_path_length() const;
  const GridworldOptions& options() const { return options_; }

protected:
  Observation reset_impl() override;
  StepResult step_impl(int64_t action) override;

private:
  int64_t move(int64_t cell, int64_t action) const;
  void check_cell(int64_t cell, const char* argument) const;

  GridworldOptions options_;
  std::vector<bool> wall_;
  int64_t cell_ = 0;
};

} // namespace engram::rl
