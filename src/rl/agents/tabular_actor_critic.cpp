#include <engram/rl/agents/tabular_actor_critic.h>

#include <engram/rl/agents/action_selection.h>
#include <engram/rl/agents/eligibility_trace.h>

#include <c10/util/Exception.h>

namespace engram::rl {

TabularActorCritic::TabularActorCritic(TabularActorCriticOptions options)
    : options_(options), rng_(options.seed()) {
  TORCH_CHECK(options_.num_states() > 0 && options_.num_actions() > 0,
              "TabularActorCritic: arguments 'num_states' and 'num_actions' expected > 0, got ",
              options_.num_states(), " and ", options_.num_actions());
  check_positive(options_.alpha_critic(), "TabularActorCritic", "alpha_critic");
  check_positive(options_.alpha_actor(), "TabularActorCritic", "alpha_actor");
  check_unit_interval(options_.gamma(), "TabularActorCritic", "gamma");
  check_unit_interval(options_.lambda_critic(), "TabularActorCritic", "lambda_critic");
  check_unit_interval(options_.lambda_actor(), "TabularActorCritic", "lambda_actor");
  v_.assign(options_.num_states(), 0.0);
  h_.assign(options_.num_states() * options_.num_actions(), 0.0);
  e_v_.assign(v_.size(), 0.0);
  e_h_.assign(h_.size(), 0.0);
}

void TabularActorCritic::begin_episode() {
  std::fill(e_v_.begin(), e_v_.end(), 0.0);
  std::fill(e_h_.begin(), e_h_.end(), 0.0);
}

void TabularActorCritic::check_state(int64_t state, const char* fn) const {
  TORCH_CHECK(state >= 0 && state < options_.num_states(), fn,
              ": argument 'state' expected in [0, ", options_.num_states(), "), got ", state);
}

std::vector<double> TabularActorCritic::policy(int64_t state) const {
  check_state(state, "TabularActorCritic::policy");
  return softmax(h_.data() + state * options_.num_actions(), options_.num_actions());
}

int64_t TabularActorCritic::select_action(int64_t state) {
  return sample_discrete(policy(state), rng_);
}

double TabularActorCritic::value(int64_t state) const {
  check_state(state, "TabularActorCritic::value");
  return v_[state];
}

double TabularActorCritic::update(int64_t state, int64_t action, double reward, int64_t next_state,
                                  bool terminal) {
  check_state(state, "TabularActorCritic::update");
  const int64_t n_actions = options_.num_actions();
  TORCH_CHECK(action >= 0 && action < n_actions,
              "TabularActorCritic::update: argument 'action' expected in [0, ", n_actions,
              "), got ", action);
  if (!terminal)
    check_state(next_state, "TabularActorCritic::update");
  const double gamma = options_.gamma();
  const double delta = reward + (terminal ? 0.0 : gamma * v_[next_state]) - v_[state];
  const std::vector<double> pi = policy(state);

  const double decay_v = gamma * options_.lambda_critic();
  const double decay_h = gamma * options_.lambda_actor();
  for (auto& e : e_v_)
    e *= decay_v;
  for (auto& e : e_h_)
    e *= decay_h;
  e_v_[state] += 1.0;
  for (int64_t b = 0; b < n_actions; ++b) {
    e_h_[state * n_actions + b] += (b == action ? 1.0 : 0.0) - pi[b];
  }
  const double step_v = options_.alpha_critic() * delta;
  const double step_h = options_.alpha_actor() * delta;
  for (size_t i = 0; i < v_.size(); ++i)
    v_[i] += step_v * e_v_[i];
  for (size_t i = 0; i < h_.size(); ++i)
    h_[i] += step_h * e_h_[i];
  if (terminal)
    begin_episode();
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
