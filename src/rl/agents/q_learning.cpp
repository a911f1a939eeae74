#include <engram/rl/agents/q_learning.h>

#include <engram/rl/agents/eligibility_trace.h>

#include <c10/util/Exception.h>

namespace engram::rl {

QLearning::QLearning(QLearningOptions options)
    : options_(options), table_("QLearning", options.num_states(), options.num_actions(),
                                options.initial_value(), options.seed()) {
  check_positive(options_.alpha(), "QLearning", "alpha");
  check_unit_interval(options_.gamma(), "QLearning", "gamma");
  check_unit_interval(options_.epsilon(), "QLearning", "epsilon");
}

void QLearning::set_epsilon(double epsilon) {
  check_unit_interval(epsilon, "QLearning::set_epsilon", "epsilon");
  options_.epsilon(epsilon);
}

double QLearning::update(int64_t state, int64_t action, double reward, int64_t next_state,
                         bool terminal) {
  std::vector<double>& q = table_.values();
  const int64_t i = table_.index(state, action, "update");
  double target = reward;
  if (!terminal) {
    target += options_.gamma() * table_.max_q(next_state, "update");
  }
  const double delta = target - q[i];
  q[i] += options_.alpha() * delta;
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
