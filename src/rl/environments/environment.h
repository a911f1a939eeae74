#pragma once
// The one interface every RL environment implements: seeded reset / step, and the observation and
// action spaces. The base class owns the random generator and enforces the episode protocol
// (reset before the first step, no step after the episode is done, action inside the space), so
// each environment only writes its dynamics.

#include <engram/rl/environments/space.h>

#include <cstdint>
#include <random>
#include <string>

namespace engram::rl {

struct StepResult {
  Observation observation;
  double reward = 0.0;
  bool terminated = false; // reached a terminal state: its value is 0 by definition
  bool truncated = false;  // cut off by a time limit: the state still has a value
  bool done() const { return terminated || truncated; }
};

class Environment {
public:
  explicit Environment(uint64_t seed) : rng_(seed) {}
  virtual ~Environment() = default;
  Environment(const Environment&) = default;
  Environment& operator=(const Environment&) = default;

  // Starts an episode and returns its first observation.
  Observation reset();
  // Takes `action`; throws c10::Error when the action is outside action_space(), when no episode
  // has been started, or when the episode is already done.
  StepResult step(int64_t action);
  // Re-seeds the generator: the same seed reproduces the same episodes.
  void seed(uint64_t seed) { rng_.seed(seed); }
  bool done() const { return done_; }
  int64_t episode_steps() const { return episode_steps_; }

  virtual Space observation_space() const = 0;
  virtual Space action_space() const = 0;
  virtual std::string name() const = 0;

protected:
  virtual Observation reset_impl() = 0;
  virtual StepResult step_impl(int64_t action) = 0;
  std::mt19937_64& rng() { return rng_; }
  double uniform(double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(rng_);
  }
  double normal(double mean, double stddev) {
    return std::normal_distribution<double>(mean, stddev)(rng_);
  }

private:
  std::mt19937_64 rng_;
  bool done_ = true;
  bool started_ = false;
  int64_t episode_steps_ = 0;
};

} // namespace engram::rl
