#include <engram/rl/agents/neuromodulated_actor_critic.h>

#include <engram/rl/agents/action_selection.h>
#include <engram/rl/agents/eligibility_trace.h>

#include <cmath>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

namespace engram::rl {

NeuromodulatedActorCritic::NeuromodulatedActorCritic(NeuromodulatedActorCriticOptions options)
    : options_(options), rng_(options.seed()) {
  const auto& o = options_;
  TORCH_CHECK(o.num_states() > 0 && o.num_actions() > 0,
              "NeuromodulatedActorCritic: arguments 'num_states' and 'num_actions' expected > 0, "
              "got ",
              o.num_states(), " and ", o.num_actions());
  check_unit_interval(o.gamma(), "NeuromodulatedActorCritic", "gamma");
  check_unit_interval(o.trace_decay(), "NeuromodulatedActorCritic", "trace_decay");
  TORCH_CHECK(o.gamma() * o.trace_decay() < 1.0,
              "NeuromodulatedActorCritic: arguments 'gamma' * 'trace_decay' expected < 1, got ",
              o.gamma() * o.trace_decay());
  TORCH_CHECK(o.eta() >= 0 && std::isfinite(o.eta()),
              "NeuromodulatedActorCritic: argument 'eta' expected >= 0, got ", o.eta());
  TORCH_CHECK(o.clip() > 0, "NeuromodulatedActorCritic: argument 'clip' expected > 0, got ",
              o.clip());
  check_positive(o.learning_rate(), "NeuromodulatedActorCritic", "learning_rate");
  check_positive(o.critic_learning_rate(), "NeuromodulatedActorCritic", "critic_learning_rate");
  torch::manual_seed(o.seed());
  // E <- (1 - r) E + r pre (x) post with r = 1 - gamma * trace_decay is r times the usual
  // accumulating trace gamma lambda E + pre (x) post; update() divides m by r to undo the scale.
  namespace layers = engram::layers;
  actor_ = layers::PlasticLinear(layers::PlasticLinearOptions(o.num_states(), o.num_actions())
                                     .activation(Activation::kNone)
                                     .alpha_shape(layers::AlphaShape::kScalar)
                                     .alpha_init(1.0)
                                     .eta(1.0 - o.gamma() * o.trace_decay())
                                     .learn_eta(false)
                                     .clip(o.clip())
                                     .modulation(Modulation::kRetroactive));
  {
    at::NoGradGuard no_grad;
    actor_->weight.zero_(); // uniform initial policy: no arm is preferred before any reward
    actor_->alpha.requires_grad_(false); // H enters at unit gain; only W and b learn by gradient
  }
  actor_->reset_state(1);
  critic_ = torch::nn::Linear(o.num_states(), 1);
  {
    at::NoGradGuard no_grad;
    critic_->weight.zero_();
    critic_->bias.zero_();
  }
  actor_optimizer_ =
      std::make_unique<torch::optim::Adam>(std::vector<at::Tensor>{actor_->weight, actor_->bias},
                                           torch::optim::AdamOptions(o.learning_rate()));
  critic_optimizer_ = std::make_unique<torch::optim::SGD>(
      critic_->parameters(), torch::optim::SGDOptions(o.critic_learning_rate()));
}

at::Tensor NeuromodulatedActorCritic::one_hot(int64_t state, const char* fn) const {
  TORCH_CHECK(state >= 0 && state < options_.num_states(), fn,
              ": argument 'state' expected in [0, ", options_.num_states(), "), got ", state);
  at::Tensor x = at::zeros({1, options_.num_states()});
  x[0][state] = 1.0;
  return x;
}

void NeuromodulatedActorCritic::begin_episode() {
  actor_->reset_eligibility();
}

std::vector<double> NeuromodulatedActorCritic::policy(int64_t state) {
  at::NoGradGuard no_grad;
  const at::Tensor p =
      at::softmax(actor_->respond(one_hot(state, "NeuromodulatedActorCritic::policy"))[0], 0)
          .to(at::kDouble)
          .contiguous();
  return {p.data_ptr<double>(), p.data_ptr<double>() + p.numel()};
}

double NeuromodulatedActorCritic::value(int64_t state) {
  at::NoGradGuard no_grad;
  return critic_->forward(one_hot(state, "NeuromodulatedActorCritic::value")).item<double>();
}

int64_t NeuromodulatedActorCritic::select_action(int64_t state) {
  return sample_discrete(policy(state), rng_);
}

double NeuromodulatedActorCritic::update(int64_t state, int64_t action, double reward,
                                         int64_t next_state, bool terminal) {
  const at::Tensor x = one_hot(state, "NeuromodulatedActorCritic::update");
  TORCH_CHECK(action >= 0 && action < options_.num_actions(),
              "NeuromodulatedActorCritic::update: argument 'action' expected in [0, ",
              options_.num_actions(), "), got ", action);
  const double v_next = terminal ? 0.0 : value(next_state);
  const at::Tensor v = critic_->forward(x).squeeze();
  const double delta = reward + options_.gamma() * v_next - v.item<double>();

  const at::Tensor logits = actor_->respond(x)[0];
  const at::Tensor logp = at::log_softmax(logits, 0);
  const at::Tensor p = logp.exp();
  // Slow pathway: one-step actor-critic gradient (delta as a constant advantage).
  const at::Tensor actor_loss = -delta * logp[action] + options_.entropy_coef() * (p * logp).sum();
  actor_optimizer_->zero_grad();
  actor_loss.backward();
  actor_optimizer_->step();
  const at::Tensor critic_loss = 0.5 * (v - (reward + options_.gamma() * v_next)).pow(2);
  critic_optimizer_->zero_grad();
  critic_loss.backward();
  critic_optimizer_->step();

  // Fast pathway: Hebbian eligibility pre (x) onehot(a) (state unit and the action unit that
  // fired), converted into H by the broadcast delta. Unlike the policy-gradient term
  // onehot(a) - pi it does not vanish when the policy is saturated, so a confident habit can
  // be unlearnt at once when delta turns negative.
  if (options_.plastic()) {
    at::NoGradGuard no_grad;
    at::Tensor post = at::zeros({1, options_.num_actions()});
    post[0][action] = 1.0;
    const double rate = 1.0 - options_.gamma() * options_.trace_decay();
    actor_->forward(x, at::full({1}, options_.eta() * delta / rate), post);
  }
  if (terminal)
    begin_episode();
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
