#include <engram/rl/agents/epsilon_greedy_bandit.h>

#include <engram/rl/agents/action_selection.h>
#include <engram/rl/agents/eligibility_trace.h>

#include <c10/util/Exception.h>

namespace engram::rl {

EpsilonGreedyBandit::EpsilonGreedyBandit(EpsilonGreedyBanditOptions options)
    : options_(options), rng_(options.seed) {
  TORCH_CHECK(options_.num_arms > 0, "EpsilonGreedyBandit: argument 'num_arms' expected > 0, got ",
              options_.num_arms);
  check_unit_interval(options_.epsilon, "EpsilonGreedyBandit", "epsilon");
  TORCH_CHECK(options_.alpha >= 0 && options_.alpha <= 1,
              "EpsilonGreedyBandit: argument 'alpha' expected in [0, 1] (0: sample average), got ",
              options_.alpha);
  q_.assign(options_.num_arms, options_.initial_value);
  n_.assign(options_.num_arms, 0);
}

int64_t EpsilonGreedyBandit::select_action() {
  return epsilon_greedy(q_.data(), options_.num_arms, options_.epsilon, rng_);
}

double EpsilonGreedyBandit::update(int64_t action, double reward) {
  TORCH_CHECK(action >= 0 && action < options_.num_arms,
              "EpsilonGreedyBandit::update: argument 'action' expected in [0, ", options_.num_arms,
              "), got ", action);
  const double delta = reward - q_[action];
  ++n_[action];
  const double step = options_.alpha > 0 ? options_.alpha : 1.0 / static_cast<double>(n_[action]);
  q_[action] += step * delta;
  last_delta_ = delta;
  return delta;
}

} // namespace engram::rl
