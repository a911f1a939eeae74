#pragma once
// An actor-critic whose TD error is a broadcast neuromodulator. The critic V(s) = w.x + c and the
// actor's slow weights learn online by gradient descent (Adam) on the one-step actor-critic loss.
// The actor is a PlasticLinear with retroactive neuromodulation: logits = x (W + H) + b, and with
// `plastic` its fast weights H learn from reward alone: every action leaves a Hebbian eligibility
// trace pre (x) onehot(a), and eta * delta, broadcast as the modulation m, converts it into a
// weight change. With plastic = false it is the same network, same size and same slow learning,
// without the fast neuromodulated pathway (m never arrives, H stays 0): the control for continual
// RL (a reward that moves) experiments. H persists across episodes; the eligibility does not.

#include <engram/layers/plastic/plastic_linear.h>

#include <torch/arg.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <random>

namespace engram::rl {

/// Options for NeuromodulatedActorCritic: table sizes, fast plasticity and slow learning.
struct NeuromodulatedActorCriticOptions {
  NeuromodulatedActorCriticOptions(int64_t num_states, int64_t num_actions)
      : num_states_(num_states), num_actions_(num_actions) {}
  /// number of discrete states, one-hot encoded as the input (> 0)
  TORCH_ARG(int64_t, num_states);
  /// number of discrete actions (> 0)
  TORCH_ARG(int64_t, num_actions);
  /// learn the fast neuromodulated weights H; false is the control, in which H stays 0
  TORCH_ARG(bool, plastic) = true;
  /// fast plasticity rate: the modulation is m = eta * delta (>= 0, finite)
  TORCH_ARG(double, eta) = 10.0;
  /// eligibility decay between steps (times gamma), in [0, 1]; gamma * trace_decay must be < 1
  TORCH_ARG(double, trace_decay) = 0.0;
  /// bound on |H|: each fast weight is clipped to [-clip, clip] (> 0)
  TORCH_ARG(double, clip) = 5.0;
  /// Adam learning rate of the actor's slow weights W and b (> 0)
  TORCH_ARG(double, learning_rate) = 0.01;
  /// SGD learning rate of the critic V(s) = w.x + c (> 0)
  TORCH_ARG(double, critic_learning_rate) = 0.1;
  /// discount factor, in [0, 1]
  TORCH_ARG(double, gamma) = 0.95;
  /// weight of the entropy bonus in the actor's slow loss
  TORCH_ARG(double, entropy_coef) = 0.01;
  /// seed of torch::manual_seed (parameter initialisation) and of action sampling
  TORCH_ARG(uint64_t, seed) = 0;
};

class NeuromodulatedActorCritic {
public:
  explicit NeuromodulatedActorCritic(NeuromodulatedActorCriticOptions options);

  void begin_episode();
  int64_t select_action(int64_t state);
  // One transition; returns delta, which also modulated the plastic weights.
  double update(int64_t state, int64_t action, double reward, int64_t next_state, bool terminal);
  double last_delta() const { return last_delta_; }
  double value(int64_t state);
  std::vector<double> policy(int64_t state);
  engram::layers::PlasticLinear& actor() { return actor_; }
  const NeuromodulatedActorCriticOptions& options() const { return options_; }

private:
  at::Tensor one_hot(int64_t state, const char* fn) const;

  NeuromodulatedActorCriticOptions options_;
  engram::layers::PlasticLinear actor_{nullptr};
  torch::nn::Linear critic_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> actor_optimizer_;
  std::unique_ptr<torch::optim::Optimizer> critic_optimizer_;
  std::mt19937_64 rng_;
  double last_delta_ = 0.0;
};

} // namespace engram::rl
