#include <engram/layers/hebbian/hebbian_rule.h>

#include <c10/util/Exception.h>

#include <cmath>

namespace engram::layers {

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

const HebbianRuleEntry& hebbian_rule_entry(HebbianRule rule) {
  for (const auto& entry : hebbian_rule_table()) {
    if (entry.rule == rule) {
      return entry;
    }
  }
  TORCH_CHECK(false, "HebbianLinear: rule '", to_string(rule), "' has no entry in the rule table");
}

} // namespace engram::layers
