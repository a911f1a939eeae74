#pragma once
// The actor-critic minibatch loss of NeuralActorCritic (PPO clipped surrogate + clipped value loss
// - entropy bonus), twice: `actor_critic_loss` builds it with autograd (the reference), and
// `actor_critic_loss_backward` computes the same loss and writes its exact gradient into every
// parameter's .grad with a hand-derived backward pass: eight GEMMs per network and plain loops
// for the rest. The fused path avoids the autograd graph and hundreds of tiny-op dispatches per
// minibatch, which otherwise dominate the training time of this small network.

#include <engram/rl/agents/actor_critic_net.h>

#include <ATen/core/Tensor.h>

namespace engram::rl {

struct ActorCriticLossOptions {
  double clip_coef = 0.2; // 0: plain policy gradient -A log pi(a|s), unclipped value loss
  bool clip_value_loss = true;
  bool normalize_advantages = true;
  double entropy_coef = 0.01;
  double value_coef = 0.5;
};

struct ActorCriticMinibatch {
  at::Tensor observations;  // [B, D] float32
  at::Tensor actions;       // [B] int64
  at::Tensor old_log_probs; // [B] float32
  at::Tensor advantages;    // [B] float32
  at::Tensor returns;       // [B] float32
  at::Tensor old_values;    // [B] float32
};

// Scalar loss with an autograd graph.
at::Tensor actor_critic_loss(ActorCriticNetImpl& net, const ActorCriticMinibatch& batch,
                             const ActorCriticLossOptions& options);

// Same loss value; sets each parameter's .grad to d loss / d parameter (overwriting).
double actor_critic_loss_backward(ActorCriticNetImpl& net, const ActorCriticMinibatch& batch,
                                  const ActorCriticLossOptions& options);

} // namespace engram::rl
