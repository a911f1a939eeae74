#pragma once
// Neural actor-critic on LibTorch for discrete actions and Box observations, in the form CleanRL
// uses for CartPole: `num_envs` environments stepped in lock-step for `num_steps`, advantages by
// GAE(lambda) from the one-step TD errors delta_t = r + gamma V(s') - V(s) (exposed per step as
// last_deltas()), then `update_epochs` passes of minibatch Adam on the clipped-surrogate policy
// loss (PPO; clip_coef = 0 gives the plain advantage actor-critic), a (clipped) value loss and an
// entropy bonus. Time-limit truncation bootstraps from the value of the final observation rather
// than treating it as a terminal state.

#include <engram/rl/agents/actor_critic_net.h>
#include <engram/rl/environments/environment.h>

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace engram::rl {

/// Options for NeuralActorCritic: rollout sizes, PPO loss, Adam and the solve criterion.
struct NeuralActorCriticOptions {
  /// number of environments stepped in lock-step (> 0); environment i is seeded seed + i
  TORCH_ARG(int64_t, num_envs) = 4;
  /// steps per environment in each rollout (> 0)
  TORCH_ARG(int64_t, num_steps) = 128;
  /// training budget in env steps over all environments (> 0); it runs
  /// total_steps / (num_envs * num_steps) updates, rounded down
  TORCH_ARG(int64_t, total_steps) = 500000;
  /// Adam learning rate (> 0); the starting rate when `anneal_lr`
  TORCH_ARG(double, learning_rate) = 2.5e-4;
  /// decay the learning rate linearly towards 0 over the updates
  TORCH_ARG(bool, anneal_lr) = true;
  /// discount factor, in [0, 1]
  TORCH_ARG(double, gamma) = 0.99;
  /// lambda of the GAE(lambda) advantages, in [0, 1]
  TORCH_ARG(double, gae_lambda) = 0.95;
  /// minibatches per epoch (> 0); must divide num_envs * num_steps
  TORCH_ARG(int64_t, num_minibatches) = 4;
  /// passes over each rollout per update (> 0)
  TORCH_ARG(int64_t, update_epochs) = 4;
  /// PPO clip range of the probability ratio and the value change (>= 0); 0 gives the plain
  /// advantage actor-critic with an unclipped value loss
  TORCH_ARG(double, clip_coef) = 0.2;
  /// clip the value loss around the rollout's values by clip_coef (no effect if clip_coef = 0)
  TORCH_ARG(bool, clip_value_loss) = true;
  /// normalise each minibatch's advantages to zero mean and unit standard deviation
  TORCH_ARG(bool, normalize_advantages) = true;
  /// weight of the entropy bonus subtracted from the loss
  TORCH_ARG(double, entropy_coef) = 0.01;
  /// weight of the value loss in the total loss
  TORCH_ARG(double, value_coef) = 0.5;
  /// maximum global L2 norm of the gradients (clip_grad_norm_) before each Adam step
  TORCH_ARG(double, max_grad_norm) = 0.5;
  /// width of the hidden layers of ActorCriticNet (> 0)
  TORCH_ARG(int64_t, hidden) = 64;
  /// true: the hand-derived backward pass (actor_critic_loss_backward) fills the gradients; false:
  /// autograd. Either way torch::optim::Adam steps after clip_grad_norm_.
  TORCH_ARG(bool, fused_update) = true;
  /// Intra-op threads while training, restored afterwards (<= 0 leaves them as they are): the
  /// network is too small for threads to pay, and spinning OpenMP workers on a loaded machine cost
  /// far more than they save.
  TORCH_ARG(int64_t, num_threads) = 1;
  /// seed of network initialisation, action sampling and minibatch shuffling
  TORCH_ARG(uint64_t, seed) = 1;
  /// Solved when the mean return of the last `solve_window` finished episodes reaches
  /// `solve_return`; training then stops if `stop_when_solved`.
  TORCH_ARG(double, solve_return) = 475.0;
  /// number of most recent finished episodes averaged for the solve criterion (> 0)
  TORCH_ARG(int64_t, solve_window) = 100;
  /// stop training once solved (checked at the end of each rollout)
  TORCH_ARG(bool, stop_when_solved) = true;
};

struct NeuralActorCriticResult {
  std::vector<double> episode_returns;   // in order of completion
  std::vector<int64_t> episode_end_step; // env steps (all envs) when each episode ended
  int64_t solved_at_step = -1;           // -1: not solved within total_steps
  double solved_at_seconds = -1.0;
  int64_t env_steps = 0;
  double seconds = 0.0;
  double env_steps_per_second = 0.0;
};

class NeuralActorCritic {
public:
  using EnvironmentFactory = std::function<std::unique_ptr<Environment>(uint64_t seed)>;

  NeuralActorCritic(NeuralActorCriticOptions options, EnvironmentFactory make_env);

  // Trains until solved (if stop_when_solved) or total_steps; `on_episode(return, env_steps)` is
  // called for every finished episode.
  NeuralActorCriticResult train(const std::function<void(double, int64_t)>& on_episode = nullptr);
  // Action with the highest probability for one observation.
  int64_t greedy_action(const Observation& observation) const;
  // delta_t of the last rollout, [num_steps, num_envs] float32.
  const at::Tensor& last_deltas() const { return last_deltas_; }
  ActorCriticNet& net() { return net_; }
  const NeuralActorCriticOptions& options() const { return options_; }

private:
  struct Rollout;
  struct Progress;

  // The environments, reset, and the rollout storage.
  Rollout start_rollouts();
  // Steps every environment num_steps times with actions sampled from the policy.
  void collect_rollout(Rollout& rollout, Progress& progress,
                       const std::function<void(double, int64_t)>& on_episode);
  // Acts in environment i at rollout slot k and stores the transition.
  void step_environment(Rollout& rollout, int64_t i, int64_t k, Progress& progress,
                        const std::function<void(double, int64_t)>& on_episode);
  // GAE(lambda) advantages and the one-step TD errors of the rollout.
  void compute_advantages(Rollout& rollout);
  // The rollout as tensors, then update() at learning rate lr.
  void learn(Rollout& rollout, double lr);
  // update_epochs passes over shuffled minibatches: loss gradients (fused or autograd),
  // clip_grad_norm_, one Adam step each.
  void update(const at::Tensor& obs, const at::Tensor& actions, const at::Tensor& logprobs,
              const at::Tensor& advantages, const at::Tensor& returns, const at::Tensor& values,
              double lr);

  NeuralActorCriticOptions options_;
  EnvironmentFactory make_env_;
  int64_t observation_dim_ = 0;
  int64_t num_actions_ = 0;
  ActorCriticNet net_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::mt19937_64 rng_;
  at::Tensor last_deltas_;
};

} // namespace engram::rl
