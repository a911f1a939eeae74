#include <engram/rl/agents/action_value_table.h>

#include <engram/rl/agents/action_selection.h>

#include <c10/util/Exception.h>

#include <algorithm>

namespace engram::rl {

ActionValueTable::ActionValueTable(const char* name, int64_t num_states, int64_t num_actions,
                                   double initial_value, uint64_t seed)
    : name_(name), num_states_(num_states), num_actions_(num_actions), rng_(seed) {
  TORCH_CHECK(num_states > 0 && num_actions > 0, name_,
              ": arguments 'num_states' and 'num_actions' expected > 0, got ", num_states, " and ",
              num_actions);
  q_.assign(num_states * num_actions, initial_value);
}

int64_t ActionValueTable::index(int64_t state, int64_t action, const char* method) const {
  TORCH_CHECK(state >= 0 && state < num_states_, name_, "::", method,
              ": argument 'state' expected in [0, ", num_states_, "), got ", state);
  TORCH_CHECK(action >= 0 && action < num_actions_, name_, "::", method,
              ": argument 'action' expected in [0, ", num_actions_, "), got ", action);
  return state * num_actions_ + action;
}

int64_t ActionValueTable::select_action(int64_t state, double epsilon) {
  const int64_t i = index(state, 0, "select_action");
  return epsilon_greedy(q_.data() + i, num_actions_, epsilon, rng_);
}

int64_t ActionValueTable::greedy_action(int64_t state) {
  const int64_t i = index(state, 0, "greedy_action");
  return argmax_random_tie(q_.data() + i, num_actions_, rng_);
}

double ActionValueTable::q(int64_t state, int64_t action) const {
  return q_[index(state, action, "q")];
}

double ActionValueTable::max_q(int64_t state, const char* method) const {
  const int64_t j = index(state, 0, method);
  return *std::max_element(q_.begin() + j, q_.begin() + j + num_actions_);
}

} // namespace engram::rl
