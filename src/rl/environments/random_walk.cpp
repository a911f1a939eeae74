#include <engram/rl/environments/random_walk.h>

#include <c10/util/Exception.h>

namespace engram::rl {

RandomWalk::RandomWalk(RandomWalkOptions options, uint64_t seed)
    : Environment(seed), options_(options) {
  TORCH_CHECK(options_.num_states >= 1, "RandomWalk: argument 'num_states' expected >= 1, got ",
              options_.num_states);
}

std::vector<double> RandomWalk::true_values() const {
  const int64_t n = options_.num_states;
  std::vector<double> v(n + 2, 0.0);
  // P(exit right | start at s) = s / (n+1).
  for (int64_t s = 1; s <= n; ++s) {
    const double p_right = static_cast<double>(s) / static_cast<double>(n + 1);
    v[s] = p_right * options_.right_reward + (1.0 - p_right) * options_.left_reward;
  }
  return v;
}

Observation RandomWalk::reset_impl() {
  state_ = start_state();
  return {static_cast<double>(state_)};
}

StepResult RandomWalk::step_impl(int64_t /*action*/) {
  state_ += std::bernoulli_distribution(0.5)(rng()) ? 1 : -1;
  StepResult r;
  r.observation = {static_cast<double>(state_)};
  if (state_ == 0) {
    r.reward = options_.left_reward;
    r.terminated = true;
  } else if (state_ == options_.num_states + 1) {
    r.reward = options_.right_reward;
    r.terminated = true;
  }
  return r;
}

} // namespace engram::rl
