#include <engram/rl/environments/cart_pole.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <limits>

namespace engram::rl {

CartPole::CartPole(CartPoleOptions options, uint64_t seed) : Environment(seed), options_(options) {
  TORCH_CHECK(options_.max_steps >= 0, "CartPole: argument 'max_steps' expected >= 0, got ",
              options_.max_steps);
}

Space CartPole::observation_space() const {
  const double inf = std::numeric_limits<double>::infinity();
  return Space::box({-2 * kXThreshold, -inf, -2 * kThetaThreshold, -inf},
                    {2 * kXThreshold, inf, 2 * kThetaThreshold, inf});
}

Observation CartPole::reset_impl() {
  for (auto& v : state_)
    v = uniform(-0.05, 0.05);
  return {state_.begin(), state_.end()};
}

StepResult CartPole::step_impl(int64_t action) {
  constexpr double total_mass = kMassPole + kMassCart;
  constexpr double polemass_length = kMassPole * kHalfLength;
  auto& [x, x_dot, theta, theta_dot] = state_;
  const double force = action == 1 ? kForceMag : -kForceMag;
  const double cos_t = std::cos(theta);
  const double sin_t = std::sin(theta);
  const double temp = (force + polemass_length * theta_dot * theta_dot * sin_t) / total_mass;
  const double theta_acc = (kGravity * sin_t - cos_t * temp) /
                           (kHalfLength * (4.0 / 3.0 - kMassPole * cos_t * cos_t / total_mass));
  const double x_acc = temp - polemass_length * theta_acc * cos_t / total_mass;
  // Explicit Euler, positions first with the old velocities (Gym's default "euler").
  x += kTau * x_dot;
  x_dot += kTau * x_acc;
  theta += kTau * theta_dot;
  theta_dot += kTau * theta_acc;

  StepResult r;
  r.observation = {state_.begin(), state_.end()};
  r.reward = 1.0;
  r.terminated =
      x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  r.truncated =
      !r.terminated && options_.max_steps > 0 && episode_steps() + 1 >= options_.max_steps;
  return r;
}

} // namespace engram::rl
