#include <engram/rl/agents/action_selection.h>

#include <algorithm>
#include <cmath>

namespace engram::rl {

int64_t argmax_random_tie(const double* values, int64_t n, std::mt19937_64& rng) {
  const double best = *std::max_element(values, values + n);
  int64_t count = 0;
  for (int64_t a = 0; a < n; ++a)
    count += values[a] == best;
  int64_t pick = std::uniform_int_distribution<int64_t>(0, count - 1)(rng);
  for (int64_t a = 0; a < n; ++a) {
    if (values[a] == best && pick-- == 0)
      return a;
  }
  return 0;
}

int64_t epsilon_greedy(const double* values, int64_t n, double epsilon, std::mt19937_64& rng) {
  if (epsilon > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng) < epsilon) {
    return std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
  }
  return argmax_random_tie(values, n, rng);
}

std::vector<double> softmax(const double* preferences, int64_t n) {
  const double m = *std::max_element(preferences, preferences + n);
  std::vector<double> p(n);
  double z = 0.0;
  for (int64_t a = 0; a < n; ++a)
    z += (p[a] = std::exp(preferences[a] - m));
  for (auto& v : p)
    v /= z;
  return p;
}

int64_t sample_discrete(const std::vector<double>& probabilities, std::mt19937_64& rng) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  for (size_t a = 0; a + 1 < probabilities.size(); ++a) {
    if ((u -= probabilities[a]) < 0)
      return static_cast<int64_t>(a);
  }
  return static_cast<int64_t>(probabilities.size()) - 1;
}

SoftmaxSample sample_softmax(const float* logits, int64_t n, float* weights, std::mt19937_64& rng) {
  const float m = *std::max_element(logits, logits + n);
  float z = 0;
  for (int64_t a = 0; a < n; ++a)
    z += (weights[a] = std::exp(logits[a] - m));
  float u = std::uniform_real_distribution<float>(0.0f, z)(rng);
  int64_t action = n - 1;
  for (int64_t a = 0; a < n - 1; ++a) {
    if ((u -= weights[a]) < 0) {
      action = a;
      break;
    }
  }
  return {action, logits[action] - m - std::log(z)};
}

} // namespace engram::rl
