#include <engram/rl/agents/sarsa_lambda.h>

#include <engram/rl/agents/action_selection.h>

#include <c10/util/Exception.h>

#include <cmath>

namespace engram::rl {

SarsaLambda::SarsaLambda(SarsaLambdaOptions options) : options_(options), rng_(options.seed()) {
  TORCH_CHECK(options_.num_states() > 0 && options_.num_actions() > 0,
              "SarsaLambda: arguments 'num_states' and 'num_actions' expected > 0, got ",
              options_.num_states(), " and ", options_.num_actions());
  check_positive(options_.alpha(), "SarsaLambda", "alpha");
  check_unit_interval(options_.gamma(), "SarsaLambda", "gamma");
  check_unit_interval(options_.lambda(), "SarsaLambda", "lambda");
  check_unit_interval(options_.epsilon(), "SarsaLambda", "epsilon");
  q_.assign(options_.num_states() * options_.num_actions(), options_.initial_value());
  e_.assign(q_.size(), 0.0);
}

void SarsaLambda::set_epsilon(double epsilon) {
  check_unit_interval(epsilon, "SarsaLambda::set_epsilon", "epsilon");
  options_.epsilon(epsilon);
}

void SarsaLambda::begin_episode() {
  for (const int64_t i : active_)
    e_[i] = 0.0;
  active_.clear();
}

int64_t SarsaLambda::index(int64_t state, int64_t action, const char* fn) const {
  TORCH_CHECK(state >= 0 && state < options_.num_states(), fn,
              ": argument 'state' expected in [0, ", options_.num_states(), "), got ", state);
  TORCH_CHECK(action >= 0 && action < options_.num_actions(), fn,
              ": argument 'action' expected in [0, ", options_.num_actions(), "), got ", action);
  return state * options_.num_actions() + action;
}

int64_t SarsaLambda::select_action(int64_t state) {
  const int64_t i = index(state, 0, "SarsaLambda::select_action");
  return epsilon_greedy(q_.data() + i, options_.num_actions(), options_.epsilon(), rng_);
}

int64_t SarsaLambda::greedy_action(int64_t state) {
  const int64_t i = index(state, 0, "SarsaLambda::greedy_action");
  return argmax_random_tie(q_.data() + i, options_.num_actions(), rng_);
}

double SarsaLambda::q(int64_t state, int64_t action) const {
  return q_[index(state, action, "SarsaLambda::q")];
}

double SarsaLambda::update(int64_t state, int64_t action, double reward, int64_t next_state,
                           int64_t next_action, bool terminal) {
  const int64_t i = index(state, action, "SarsaLambda::update");
  const double q_next = terminal ? 0.0 : q_[index(next_state, next_action, "SarsaLambda::update")];
  const double alpha = options_.alpha();
  const double decay = options_.gamma() * options_.lambda();
  const double delta = reward + options_.gamma() * q_next - q_[i];
  // Traces are one-hot in (s, a): decay the active ones, then add the current pair's increment.
  const double e_i = e_[i];
  for (const int64_t j : active_)
    e_[j] *= decay;
  switch (options_.trace()) {
  case TraceKind::kAccumulating:
    e_[i] += 1.0;
    break;
  case TraceKind::kReplacing:
    e_[i] = 1.0;
    break;
  case TraceKind::kDutch:
    e_[i] += 1.0 - alpha * decay * e_i;
    break;
  }
  if (e_i == 0.0)
    active_.push_back(i);
  size_t kept = 0;
  for (const int64_t j : active_) {
    q_[j] += alpha * delta * e_[j];
    // Forget traces that decayed below any effect, so long episodes stay O(active pairs).
    if (std::abs(e_[j]) > 1e-8) {
      active_[kept++] = j;
    } else {
      e_[j] = 0.0;
    }
  }
  active_.resize(kept);
  if (terminal)
    begin_episode();
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
