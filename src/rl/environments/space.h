#pragma once
// Observation and action spaces of the RL environments: a finite set {0..n-1} or a box of reals.

#include <cstdint>
#include <string>
#include <vector>

namespace engram::rl {

// A discrete observation is carried as a one-element vector holding the state index, so that
// every environment exposes the same `Observation` type.
using Observation = std::vector<double>;

struct Space {
  enum class Kind { kDiscrete, kBox };

  static Space discrete(int64_t n);
  static Space box(std::vector<double> low, std::vector<double> high);

  Kind kind = Kind::kDiscrete;
  int64_t n = 0;           // number of elements (Discrete)
  std::vector<double> low; // bounds per dimension (Box); infinities allowed
  std::vector<double> high;

  bool is_discrete() const { return kind == Kind::kDiscrete; }
  // Number of states (Discrete) or of dimensions (Box).
  int64_t size() const { return is_discrete() ? n : static_cast<int64_t>(low.size()); }
  bool contains(int64_t element) const;
  bool contains(const Observation& observation) const;
  std::string to_string() const;
};

// The state index of an observation from a Discrete space.
int64_t state_of(const Observation& observation);

} // namespace engram::rl
