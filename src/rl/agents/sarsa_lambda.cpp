#include <engram/rl/agents/sarsa_lambda.h>

#include <c10/util/Exception.h>

#include <cmath>

namespace engram::rl {

SarsaLambda::SarsaLambda(SarsaLambdaOptions options)
    : options_(options), table_("SarsaLambda", options.num_states(), options.num_actions(),
                                options.initial_value(), options.seed()) {
  check_positive(options_.alpha(), "SarsaLambda", "alpha");
  check_unit_interval(options_.gamma(), "SarsaLambda", "gamma");
  check_unit_interval(options_.lambda(), "SarsaLambda", "lambda");
  check_unit_interval(options_.epsilon(), "SarsaLambda", "epsilon");
  e_.assign(table_.values().size(), 0.0);
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

double SarsaLambda::update(int64_t state, int64_t action, double reward, int64_t next_state,
                           int64_t next_action, bool terminal) {
  std::vector<double>& q = table_.values();
  const int64_t i = table_.index(state, action, "update");
  const double q_next = terminal ? 0.0 : q[table_.index(next_state, next_action, "update")];
  const double alpha = options_.alpha();
  const double decay = options_.gamma() * options_.lambda();
  const double delta = reward + options_.gamma() * q_next - q[i];
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
    q[j] += alpha * delta * e_[j];
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
