#pragma once
// Action-selection rules shared by the learners. Ties are broken uniformly at random: a fixed
// tie-break (lowest index) biases early exploration with zero-initialised values.

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

struct SoftmaxSample {
  int64_t action;
  float log_probability; // log softmax(logits)[action]
};
// An action drawn from softmax(logits), for the neural learners' float32 logits: weights[a] =
// exp(logits[a] - max) (written to `weights`, n floats of scratch), one uniform draw in
// [0, sum of weights), no normalisation. The same distribution as softmax + sample_discrete, but
// not the same draws: each form keeps the random numbers its learner's results were made with.
SoftmaxSample sample_softmax(const float* logits, int64_t n, float* weights, std::mt19937_64& rng);

} // namespace engram::rl
