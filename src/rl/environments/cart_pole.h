#pragma once
// Cart-pole balancing with the classic dynamics of Barto, Sutton & Anderson (1983) as in
// Gym/Gymnasium CartPole-v1: Euler integration with tau = 0.02 s, force +-10 N, cart 1 kg,
// pole 0.1 kg of half-length 0.5 m, g = 9.8. Observation (x, x_dot, theta, theta_dot), each
// initialised uniformly in [-0.05, 0.05]. Reward 1 for every step, the failing one included.
// Terminates when |x| > 2.4 or |theta| > 12 degrees; truncated after `max_steps` (500 in v1).
// Actions: 0 pushes left, 1 pushes right.

#include <engram/rl/environments/environment.h>

#include <array>

namespace engram::rl {

struct CartPoleOptions {
  int64_t max_steps = 500;
};

class CartPole : public Environment {
public:
  static constexpr double kGravity = 9.8;
  static constexpr double kMassCart = 1.0;
  static constexpr double kMassPole = 0.1;
  static constexpr double kHalfLength = 0.5;
  static constexpr double kForceMag = 10.0;
  static constexpr double kTau = 0.02;
  static constexpr double kThetaThreshold = 12.0 * 2.0 * 3.14159265358979323846 / 360.0;
  static constexpr double kXThreshold = 2.4;

  explicit CartPole(CartPoleOptions options = {}, uint64_t seed = 0);

  Space observation_space() const override;
  Space action_space() const override { return Space::discrete(2); }
  std::string name() const override { return "CartPole"; }

  const std::array<double, 4>& state() const { return state_; }
  // Sets the physical state (for tests of the dynamics); the episode continues from it.
  void set_state(const std::array<double, 4>& state) { state_ = state; }

protected:
  Observation reset_impl() override;
  StepResult step_impl(int64_t action) override;

private:
  CartPoleOptions options_;
  std::array<double, 4> state_{};
};

} // namespace engram::rl
