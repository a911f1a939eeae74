#pragma once
// The epsilon-greedy action-value bandit learner of Sutton & Barto (2nd ed., section 2.4):
// sample-average estimates (step 1/n, optimal for a stationary bandit) or a constant step size
// alpha (a recency-weighted average that tracks a drifting bandit).

#include <cstdint>
#include <random>
#include <vector>

namespace engram::rl {

struct EpsilonGreedyBanditOptions {
  int64_t num_arms = 10;
  double epsilon = 0.1;
  double alpha = 0.0; // 0: sample averages; > 0: constant step size
  double initial_value = 0.0;
  uint64_t seed = 0;
};

class EpsilonGreedyBandit {
public:
  explicit EpsilonGreedyBandit(EpsilonGreedyBanditOptions options);

  int64_t select_action();
  // Returns the prediction error r - Q(a) before the update.
  double update(int64_t action, double reward);
  double last_delta() const { return last_delta_; }
  const std::vector<double>& estimates() const { return q_; }

private:
  EpsilonGreedyBanditOptions options_;
  std::vector<double> q_;
  std::vector<int64_t> n_;
  std::mt19937_64 rng_;
  double last_delta_ = 0.0;
};

} // namespace engram::rl
