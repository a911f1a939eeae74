#pragma once
// The actor-critic network of CleanRL's PPO for classic control: separate actor and critic MLPs,
// obs -> hidden -> hidden (tanh) -> action logits / state value, orthogonal initialisation
// (gain sqrt(2) for hidden layers, 0.01 for the policy head, 1 for the value head).
// infer() evaluates one observation without autograd or tensor allocation: acting in the
// environment costs microseconds, so per-step overhead does not dominate the env-steps/s.

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <tuple>

namespace engram::rl {

/// Options for ActorCriticNet: the observation size, action count and hidden width.
struct ActorCriticNetOptions {
  ActorCriticNetOptions(int64_t observation_dim, int64_t num_actions)
      : observation_dim_(observation_dim), num_actions_(num_actions) {}
  /// size of each observation vector, the input of both MLPs (> 0)
  TORCH_ARG(int64_t, observation_dim);
  /// number of discrete actions, the size of the policy logits (> 0)
  TORCH_ARG(int64_t, num_actions);
  /// width of each of the two tanh hidden layers, in the actor and the critic (> 0)
  TORCH_ARG(int64_t, hidden) = 64;
};

class ActorCriticNetImpl : public torch::nn::Module {
public:
  explicit ActorCriticNetImpl(ActorCriticNetOptions options);

  // observations [B, observation_dim] -> (logits [B, num_actions], values [B]).
  std::tuple<at::Tensor, at::Tensor> forward(const at::Tensor& observations);
  // One float32 observation on the CPU -> logits[num_actions] and *value; no autograd.
  void infer(const float* observation, float* logits, float* value) const;
  void pretty_print(std::ostream& stream) const override;
  const ActorCriticNetOptions& options() const { return options_; }
  // Input, hidden and output layer of each network (for the hand-written backward pass).
  std::array<torch::nn::Linear, 3> actor_layers() const { return {actor1_, actor2_, actor_head_}; }
  std::array<torch::nn::Linear, 3> critic_layers() const {
    return {critic1_, critic2_, critic_head_};
  }

private:
  ActorCriticNetOptions options_;
  torch::nn::Linear actor1_{nullptr}, actor2_{nullptr}, actor_head_{nullptr};
  torch::nn::Linear critic1_{nullptr}, critic2_{nullptr}, critic_head_{nullptr};
};

TORCH_MODULE(ActorCriticNet);

} // namespace engram::rl
