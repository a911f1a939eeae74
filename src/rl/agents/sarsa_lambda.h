#pragma once
// Tabular SARSA(lambda) with accumulating, replacing or dutch traces over state-action pairs
// (Sutton & Barto 2nd ed., section 12.7), epsilon-greedy behaviour. SARSA(0) is lambda = 0.
// update() returns delta = r + gamma Q(s', a') - Q(s, a).

#include <engram/rl/agents/action_value_table.h>
#include <engram/rl/agents/eligibility_trace.h>

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace engram::rl {

/// Options for SarsaLambda: table size, step size, discount, traces and exploration.
struct SarsaLambdaOptions {
  SarsaLambdaOptions(int64_t num_states, int64_t num_actions)
      : num_states_(num_states), num_actions_(num_actions) {}
  /// number of discrete states (> 0)
  TORCH_ARG(int64_t, num_states);
  /// number of discrete actions (> 0)
  TORCH_ARG(int64_t, num_actions);
  /// step size of the Q update (> 0)
  TORCH_ARG(double, alpha) = 0.1;
  /// discount factor, in [0, 1]
  TORCH_ARG(double, gamma) = 0.99;
  /// trace-decay parameter lambda, in [0, 1]; 0 gives SARSA(0)
  TORCH_ARG(double, lambda) = 0.9;
  /// probability of a uniformly random action (epsilon-greedy), in [0, 1]
  TORCH_ARG(double, epsilon) = 0.1;
  /// initial value of every Q(s, a); above the true values it is optimistic
  TORCH_ARG(double, initial_value) = 0.0;
  /// kind of eligibility trace over state-action pairs: accumulating, replacing or dutch
  TORCH_ARG(TraceKind, trace) = TraceKind::kReplacing;
  /// seed of exploration and of random tie-breaking among greedy actions
  TORCH_ARG(uint64_t, seed) = 0;
};

class SarsaLambda {
public:
  explicit SarsaLambda(SarsaLambdaOptions options);

  void begin_episode();
  int64_t select_action(int64_t state) { return table_.select_action(state, options_.epsilon()); }
  int64_t greedy_action(int64_t state) { return table_.greedy_action(state); }
  double q(int64_t state, int64_t action) const { return table_.q(state, action); }
  // `next_action` is ignored when `terminal`.
  double update(int64_t state, int64_t action, double reward, int64_t next_state,
                int64_t next_action, bool terminal);
  double last_delta() const { return last_delta_; }
  const std::vector<double>& q_table() const { return table_.values(); }
  void set_epsilon(double epsilon);
  const SarsaLambdaOptions& options() const { return options_; }

private:
  SarsaLambdaOptions options_;
  ActionValueTable table_;
  std::vector<double> e_;
  std::vector<int64_t> active_; // indices with a non-zero trace (sparse decay)
  double last_delta_ = 0.0;
};

} // namespace engram::rl
