#pragma once
// The Q table that the tabular control learners (Q-learning, SARSA(lambda)) share: Q(s, a) for
// num_states x num_actions pairs stored state-major, epsilon-greedy and greedy selection with
// random tie-breaks, and the generator they draw from. The learners differ only in their update.

#include <cstdint>
#include <random>
#include <vector>

namespace engram::rl {

class ActionValueTable {
public:
  // `name` (the learner's class) prefixes every error message.
  ActionValueTable(const char* name, int64_t num_states, int64_t num_actions, double initial_value,
                   uint64_t seed);

  // Flat index of (state, action); throws naming `name::method` when either is out of range.
  int64_t index(int64_t state, int64_t action, const char* method) const;
  int64_t select_action(int64_t state, double epsilon);
  int64_t greedy_action(int64_t state);
  double q(int64_t state, int64_t action) const;
  // max_a Q(state, a).
  double max_q(int64_t state, const char* method) const;
  int64_t num_actions() const { return num_actions_; }
  const std::vector<double>& values() const { return q_; }
  std::vector<double>& values() { return q_; }

private:
  const char* name_;
  int64_t num_states_;
  int64_t num_actions_;
  std::vector<double> q_;
  std::mt19937_64 rng_;
};

} // namespace engram::rl
