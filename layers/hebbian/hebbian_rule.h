#pragma once
// The local learning rules HebbianLinear can apply, and the options that shape them.

#include <cstdint>
#include <string>

namespace engram::layers {

enum class HebbianRule {
  kHebb,       // dW = eta * y x^T - decay * W
  kOja,        // dW_j = eta * y_j (x - y_j W_j)                      (Oja 1982)
  kSanger,     // dW = eta * (y x^T - LT(y y^T) W)                   (Sanger 1989, GHA)
  kBcm,        // dW_j = eta * x y_j (y_j - theta_j), theta ~ <y^2>   (Bienenstock et al. 1982)
  kCovariance, // dW = eta * (y - <y>)(x - <x>)^T                    (Sejnowski 1977)
  kSoftWta,    // softmax competition, anti-Hebbian losers           (Journe et al. 2023)
  kHardWta,    // winner +1, k-th ranked -delta                     (Krotov & Hopfield 2019)
};

enum class HebbianActivation { kNone, kRelu, kTanh, kSigmoid };

// Applied to every row (one output unit's incoming weights) after each learning step.
enum class WeightNormalization { kNone, kUnitNorm };

// eta_t = eta_0 * f(t), t counting learn() calls, s = schedule_steps:
//   constant 1, inverse_time 1/(1 + t/s), exponential exp(-t/s), linear max(0, 1 - t/s).
enum class LearningRateSchedule { kConstant, kInverseTime, kExponential, kLinear };

std::string to_string(HebbianRule rule);
std::string to_string(HebbianActivation activation);
std::string to_string(WeightNormalization normalization);
std::string to_string(LearningRateSchedule schedule);

// Parses the names to_string gives ("oja", "soft_wta", ...); throws c10::Error naming the choices.
HebbianRule parse_hebbian_rule(const std::string& name);

// The factor f(t) of the schedule above.
double learning_rate_factor(LearningRateSchedule schedule, int64_t step, int64_t schedule_steps);

} // namespace engram::layers
