#include <engram/rl/environments/gridworld.h>

#include <c10/util/Exception.h>

#include <deque>

namespace engram::rl {

Gridworld::Gridworld(GridworldOptions options, uint64_t seed)
    : Environment(seed), options_(std::move(options)) {
  TORCH_CHECK(options_.width > 0 && options_.height > 0,
              "Gridworld: arguments 'width' and 'height' expected > 0, got ", options_.width, "x",
              options_.height);
  TORCH_CHECK(options_.max_steps >= 0, "Gridworld: argument 'max_steps' expected >= 0, got ",
              options_.max_steps);
  wall_.assign(options_.width * options_.height, false);
  for (const int64_t w : options_.walls) {
    check_cell(w, "walls");
    wall_[w] = true;
  }
  check_cell(options_.start, "start");
  check_cell(options_.goal, "goal");
  TORCH_CHECK(!wall_[options_.start],
              "Gridworld: argument 'start' is a wall cell: ", options_.start);
  TORCH_CHECK(!wall_[options_.goal], "Gridworld: argument 'goal' is a wall cell: ", options_.goal);
}

void Gridworld::check_cell(int64_t cell, const char* argument) const {
  TORCH_CHECK(cell >= 0 && cell < options_.width * options_.height, "Gridworld: argument '",
              argument, "' expected a cell in [0, ", options_.width * options_.height, "), got ",
              cell);
}

bool Gridworld::is_wall(int64_t cell) const {
  return wall_.at(cell);
}

void Gridworld::set_goal(int64_t cell) {
  check_cell(cell, "cell");
  TORCH_CHECK(!wall_[cell], "Gridworld::set_goal: argument 'cell' is a wall cell: ", cell);
  options_.goal = cell;
}

int64_t Gridworld::move(int64_t cell, int64_t action) const {
  int64_t row = cell / options_.width;
  int64_t col = cell % options_.width;
  switch (action) {
  case kUp:
    row -= 1;
    break;
  case kRight:
    col += 1;
    break;
  case kDown:
    row += 1;
    break;
  default:
    col -= 1;
    break;
  }
  if (row < 0 || row >= options_.height || col < 0 || col >= options_.width)
    return cell;
  const int64_t next = row * options_.width + col;
  return wall_[next] ? cell : next;
}

int64_t Gridworld::shortest_path_length() const {
  std::vector<int64_t> dist(wall_.size(), -1);
  std::deque<int64_t> queue{options_.start};
  dist[options_.start] = 0;
  while (!queue.empty()) {
    const int64_t c = queue.front();
    queue.pop_front();
    if (c == options_.goal)
      return dist[c];
    for (int64_t a = 0; a < 4; ++a) {
      const int64_t n = move(c, a);
      if (dist[n] < 0) {
        dist[n] = dist[c] + 1;
        queue.push_back(n);
      }
    }
  }
  return -1;
}

Observation Gridworld::reset_impl() {
  cell_ = options_.start;
  return {static_cast<double>(cell_)};
}

StepResult Gridworld::step_impl(int64_t action) {
  cell_ = move(cell_, action);
  StepResult r;
  r.observation = {static_cast<double>(cell_)};
  if (cell_ == options_.goal) {
    r.reward = options_.goal_reward;
    r.terminated = true;
  } else {
    r.reward = options_.step_reward;
    r.truncated = options_.max_steps > 0 && episode_steps() + 1 >= options_.max_steps;
  }
  return r;
}

} // namespace engram::rl
