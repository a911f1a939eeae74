#pragma once
// Action-selection rules shared by the tabular control learners. Ties are broken uniformly at
// random: a fixed tie-break (lowest index) biases early exploration with zero-initialised values.

#include <cstdint>
#include <random>
#include <vector>

namespace engram::rl {

int64_t argmax_random_tie(const double* values, int64_t n, std::mt19937_64& rng);
// With probability epsilon a uniformly random action, otherwise a greedy one.
int64_t epsilon_greedy(const double* values, int64_t n, double epsilon, std::mt19937_64& rng);
// Softmax (Gibbs) probabilities of preferences h, numerically stable.
std::vector<double> softmax(const double* preferences, int64_t n);
int64_t sample_discrete(const std::vector<double>& probabilities, std::mt19937_64& rng);

} // namespace engram::rl
