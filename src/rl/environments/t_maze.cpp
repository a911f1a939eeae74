#include <engram/rl/environments/t_maze.h>

#include <c10/util/Exception.h>

namespace engram::rl {

TMaze::TMaze(TMazeOptions options, uint64_t seed) : Environment(seed), options_(options) {
  TORCH_CHECK(options_.corridor_length >= 1,
              "TMaze: argument 'corridor_length' expected >= 1, got ", options_.corridor_length);
  TORCH_CHECK(options_.max_steps >= 0, "TMaze: argument 'max_steps' expected >= 0, got ",
              options_.max_steps);
}

void TMaze::switch_reward_side() {
  options_.reward_side =
      options_.reward_side == MazeSide::kLeft ? MazeSide::kRight : MazeSide::kLeft;
}

Observation TMaze::reset_impl() {
  position_ = 0;
  return {0.0};
}

StepResult TMaze::step_impl(int64_t action) {
  StepResult r;
  if (position_ == junction() && action != kForward) {
    chosen_side_ = action == kLeft ? MazeSide::kLeft : MazeSide::kRight;
    position_ = arm_end(chosen_side_);
    r.reward = chosen_side_ == options_.reward_side ? options_.reward : options_.wrong_reward;
    r.terminated = true;
  } else {
    if (action == kForward && position_ < junction())
      ++position_;
    r.reward = options_.step_reward;
    r.truncated = options_.max_steps > 0 && episode_steps() + 1 >= options_.max_steps;
  }
  r.observation = {static_cast<double>(position_)};
  return r;
}

} // namespace engram::rl
