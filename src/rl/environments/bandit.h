#pragma once
// A k-armed bandit with Gaussian rewards. Stationary: arm means drawn once per reset from
// N(0, initial_mean_std). Drifting (drift_std > 0): after every pull all means take an
// independent N(0, drift_std) random-walk step (Sutton & Barto Exercise 2.5), so the best arm
// changes over time and sample averages go stale. One observation (state 0); `horizon` > 0
// truncates an episode after that many pulls. Exposes the means so that regret can be measured.

#include <engram/rl/environments/environment.h>

#include <vector>

namespace engram::rl {

struct BanditOptions {
  int64_t num_arms = 10;
  double initial_mean_std = 1.0;
  double reward_std = 1.0;
  double drift_std = 0.0;
  int64_t horizon = 0;
};

class Bandit : public Environment {
public:
  explicit Bandit(BanditOptions options = {}, uint64_t seed = 0);

  Space observation_space() const override { return Space::discrete(1); }
  Space action_space() const override { return Space::discrete(options_.num_arms); }
  std::string name() const override { return "Bandit"; }

  const std::vector<double>& means() const { return means_; }
  int64_t optimal_arm() const;
  double optimal_mean() const;
  const BanditOptions& options() const { return options_; }

protected:
  Observation reset_impl() override;
  StepResult step_impl(int64_t action) override;

private:
  BanditOptions options_;
  std::vector<double> means_;
};

} // namespace engram::rl
