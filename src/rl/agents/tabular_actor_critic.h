#pragma once
// Tabular actor-critic with eligibility traces (Sutton & Barto 2nd ed., section 13.5): the critic
// learns v(s) by TD(lambda_critic); the actor keeps softmax preferences h(s, a) and moves them
// along grad log pi(a|s) = 1[a] - pi(.|s), scaled by the same TD error delta. delta is the one
// teaching signal for both, the reading of the basal ganglia in which dopamine trains critic
// (ventral) and actor (dorsal striatum) alike. With one state and gamma = 0 it is the gradient
// bandit with a learned baseline (section 2.8). The book's I = gamma^t factor is left out, as is
// usual in practice (it only matters for gamma < 1 and long episodes).

#include <torch/arg.h>

#include <cstdint>
#include <random>
#include <vector>

namespace engram::rl {

/// Options for TabularActorCritic: table sizes, critic and actor step sizes and trace decays.
struct TabularActorCriticOptions {
  TabularActorCriticOptions(int64_t num_states, int64_t num_actions)
      : num_states_(num_states), num_actions_(num_actions) {}
  /// number of discrete states (> 0)
  TORCH_ARG(int64_t, num_states);
  /// number of discrete actions (> 0)
  TORCH_ARG(int64_t, num_actions);
  /// step size of the critic's state values v(s) (> 0)
  TORCH_ARG(double, alpha_critic) = 0.1;
  /// step size of the actor's softmax preferences h(s, a) (> 0)
  TORCH_ARG(double, alpha_actor) = 0.1;
  /// discount factor, in [0, 1]
  TORCH_ARG(double, gamma) = 0.99;
  /// trace-decay parameter of the critic's TD(lambda), in [0, 1]
  TORCH_ARG(double, lambda_critic) = 0.0;
  /// trace-decay parameter of the actor's eligibility traces, in [0, 1]
  TORCH_ARG(double, lambda_actor) = 0.0;
  /// seed of action sampling from the softmax policy
  TORCH_ARG(uint64_t, seed) = 0;
};

class TabularActorCritic {
public:
  explicit TabularActorCritic(TabularActorCriticOptions options);

  void begin_episode();
  int64_t select_action(int64_t state);
  std::vector<double> policy(int64_t state) const;
  double value(int64_t state) const;
  double update(int64_t state, int64_t action, double reward, int64_t next_state, bool terminal);
  double last_delta() const { return last_delta_; }
  const std::vector<double>& preferences() const { return h_; }
  const std::vector<double>& values() const { return v_; }
  const TabularActorCriticOptions& options() const { return options_; }

private:
  void check_state(int64_t state, const char* fn) const;

  TabularActorCriticOptions options_;
  std::vector<double> v_;
  std::vector<double> h_;
  std::vector<double> e_v_;
  std::vector<double> e_h_;
  std::mt19937_64 rng_;
  double last_delta_ = 0.0;
};

} // namespace engram::rl
