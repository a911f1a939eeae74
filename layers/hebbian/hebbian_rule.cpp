#include <engram/layers/hebbian/hebbian_rule.h>

#include <c10/util/Exception.h>

#include <cmath>

namespace engram::layers {

std::string to_string(HebbianRule rule) {
  switch (rule) {
  case HebbianRule::kHebb:
    return "hebb";
  case HebbianRule::kOja:
    return "oja";
  case HebbianRule::kSanger:
    return "sanger";
  case HebbianRule::kBcm:
    return "bcm";
  case HebbianRule::kCovariance:
    return "covariance";
  case HebbianRule::kSoftWta:
    return "soft_wta";
  case HebbianRule::kHardWta:
    return "hard_wta";
  }
  return "unknown";
}

std::string to_string(HebbianActivation activation) {
  switch (activation) {
  case HebbianActivation::kNone:
    return "none";
  case HebbianActivation::kRelu:
    return "relu";
  case HebbianActivation::kTanh:
    return "tanh";
  case HebbianActivation::kSigmoid:
    return "sigmoid";
  }
  return "unknown";
}

std::string to_string(WeightNormalization normalization) {
  return normalization == WeightNormalization::kUnitNorm ? "unit_norm" : "none";
}

std::string to_string(LearningRateSchedule schedule) {
  switch (schedule) {
  case LearningRateSchedule::kConstant:
    return "constant";
  case LearningRateSchedule::kInverseTime:
    return "inverse_time";
  case LearningRateSchedule::kExponential:
    return "exponential";
  case LearningRateSchedule::kLinear:
    return "linear";
  }
  return "unknown";
}

HebbianRule parse_hebbian_rule(const std::string& name) {
  for (auto rule : {HebbianRule::kHebb, HebbianRule::kOja, HebbianRule::kSanger, HebbianRule::kBcm,
                    HebbianRule::kCovariance, HebbianRule::kSoftWta, HebbianRule::kHardWta}) {
    if (to_string(rule) == name) {
      return rule;
    }
  }
  TORCH_CHECK(false, "parse_hebbian_rule: argument 'name' expected one of hebb, oja, sanger, bcm, ",
              "covariance, soft_wta, hard_wta, got '", name, "'");
}

double learning_rate_factor(LearningRateSchedule schedule, int64_t step, int64_t schedule_steps) {
  TORCH_CHECK(schedule_steps > 0,
              "learning_rate_factor: argument 'schedule_steps' expected > 0, got ", schedule_steps);
  TORCH_CHECK(step >= 0, "learning_rate_factor: argument 'step' expected >= 0, got ", step);
  const double t = static_cast<double>(step) / static_cast<double>(schedule_steps);
  switch (schedule) {
  case LearningRateSchedule::kConstant:
    return 1.0;
  case LearningRateSchedule::kInverseTime:
    return 1.0 / (1.0 + t);
  case LearningRateSchedule::kExponential:
    return std::exp(-t);
  case LearningRateSchedule::kLinear:
    return std::max(0.0, 1.0 - t);
  }
  return 1.0;
}

} // namespace engram::layers
