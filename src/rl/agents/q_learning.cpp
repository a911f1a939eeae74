#include <engram/rl/agents/q_learning.h>

#include <engram/rl/agents/action_selection.h>
#include <engram/rl/agents/eligibility_trace.h>

#include <c10/util/Exception.h>

#include <algorithm>

namespace engram::rl {

QLearning::QLearning(QLearningOptions options) : options_(options), rng_(options.seed()) {
  TORCH_CHECK(options_.num_states() > 0 && options_.num_actions() > 0,
              "QLearning: arguments 'num_states' and 'num_actions' expected > 0, got ",
              options_.num_states(), " and ", options_.num_actions());
  check_positive(options_.alpha(), "QLearning", "alpha");
  check_unit_interval(options_.gamma(), "QLearning", "gamma");
  check_unit_interval(options_.epsilon(), "QLearning", "epsilon");
  q_.assign(options_.num_states() * options_.num_actions(), options_.initial_value());
}

void QLearning::set_epsilon(double epsilon) {
  check_unit_interval(epsilon, "QLearning::set_epsilon", "epsilon");
  options_.epsilon(epsilon);
}

int64_t QLearning::index(int64_t state, int64_t action, const char* fn) const {
  TORCH_CHECK(state >= 0 && state < options_.num_states(), fn,
              ": argument 'state' expected in [0, ", options_.num_states(), "), got ", state);
  TORCH_CHECK(action >= 0 && action < options_.num_actions(), fn,
              ": argument 'action' expected in [0, ", options_.num_actions(), "), got ", action);
  return state * options_.num_actions() + action;
}

int64_t QLearning::select_action(int64_t state) {
  const int64_t i = index(state, 0, "QLearning::select_action");
  return epsilon_greedy(q_.data() + i, options_.num_actions(), options_.epsilon(), rng_);
}

int64_t QLearning::greedy_action(int64_t state) {
  const int64_t i = index(state, 0, "QLearning::greedy_action");
  return argmax_random_tie(q_.data() + i, options_.num_actions(), rng_);
}

double QLearning::q(int64_t state, int64_t action) const {
  return q_[index(state, action, "QLearning::q")];
}

double QLearning::update(int64_t state, int64_t action, double reward, int64_t next_state,
                         bool terminal) {
  const int64_t i = index(state, action, "QLearning::update");
  double target = reward;
  if (!terminal) {
    const int64_t j = index(next_state, 0, "QLearning::update");
    target += options_.gamma() *
              *std::max_element(q_.begin() + j, q_.begin() + j + options_.num_actions());
  }
  const double delta = target - q_[i];
  q_[i] += options_.alpha() * delta;
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
