#pragma once
// Tabular Q-learning (Watkins 1989), epsilon-greedy behaviour, off-policy greedy target:
// delta = r + gamma max_a Q(s', a) - Q(s, a); Q(s, a) += alpha delta.

#include <engram/rl/agents/action_value_table.h>

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace engram::rl {

/// Options for QLearning: table size, step size, discount and exploration.
struct QLearningOptions {
  QLearningOptions(int64_t num_states, int64_t num_actions)
      : num_states_(num_states), num_actions_(num_actions) {}
  /// number of discrete states (> 0)
  TORCH_ARG(int64_t, num_states);
  /// number of discrete actions (> 0)
  TORCH_ARG(int64_t, num_actions);
  /// step size of the Q update (> 0)
  TORCH_ARG(double, alpha) = 0.1;
  /// discount factor, in [0, 1]
  TORCH_ARG(double, gamma) = 0.99;
  /// probability of a uniformly random action (epsilon-greedy), in [0, 1]
  TORCH_ARG(double, epsilon) = 0.1;
  /// initial value of every Q(s, a); above the true values it is optimistic
  TORCH_ARG(double, initial_value) = 0.0;
  /// seed of exploration and of random tie-breaking among greedy actions
  TORCH_ARG(uint64_t, seed) = 0;
};

class QLearning {
public:
  explicit QLearning(QLearningOptions options);

  int64_t select_action(int64_t state) { return table_.select_action(state, options_.epsilon()); }
  int64_t greedy_action(int64_t state) { return table_.greedy_action(state); }
  double q(int64_t state, int64_t action) const { return table_.q(state, action); }
  double update(int64_t state, int64_t action, double reward, int64_t next_state, bool terminal);
  double last_delta() const { return last_delta_; }
  const std::vector<double>& q_table() const { return table_.values(); }
  void set_epsilon(double epsilon);
  const QLearningOptions& options() const { return options_; }

private:
  QLearningOptions options_;
  ActionValueTable table_;
  double last_delta_ = 0.0;
};

} // namespace engram::rl
