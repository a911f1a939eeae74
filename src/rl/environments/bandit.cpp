#include <engram/rl/environments/bandit.h>

#include <c10/util/Exception.h>

#include <algorithm>

namespace engram::rl {

Bandit::Bandit(BanditOptions options, uint64_t seed) : Environment(seed), options_(options) {
  TORCH_CHECK(options_.num_arms >= 1, "Bandit: argument 'num_arms' expected >= 1, got ",
              options_.num_arms);
  TORCH_CHECK(
      options_.initial_mean_std >= 0 && options_.reward_std >= 0 && options_.drift_std >= 0,
      "Bandit: standard deviations expected >= 0, got initial_mean_std=", options_.initial_mean_std,
      " reward_std=", options_.reward_std, " drift_std=", options_.drift_std);
  TORCH_CHECK(options_.horizon >= 0, "Bandit: argument 'horizon' expected >= 0, got ",
              options_.horizon);
  means_.assign(options_.num_arms, 0.0);
}

int64_t Bandit::optimal_arm() const {
  return std::max_element(means_.begin(), means_.end()) - means_.begin();
}

double Bandit::optimal_mean() const {
  return *std::max_element(means_.begin(), means_.end());
}

Observation Bandit::reset_impl() {
  for (auto& m : means_) {
    m = options_.initial_mean_std > 0 ? normal(0.0, options_.initial_mean_std) : 0.0;
  }
  return {0.0};
}

StepResult Bandit::step_impl(int64_t action) {
  StepResult r;
  r.observation = {0.0};
  r.reward = means_[action] + (options_.reward_std > 0 ? normal(0.0, options_.reward_std) : 0.0);
  if (options_.drift_std > 0) {
    for (auto& m : means_)
      m += normal(0.0, options_.drift_std);
  }
  r.truncated = options_.horizon > 0 && episode_steps() + 1 >= options_.horizon;
  return r;
}

} // namespace engram::rl
