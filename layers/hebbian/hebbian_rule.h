#pragma once
// The local learning rules HebbianLinear applies, as a table {rule, name, update function}, and
// the options that shape them. The rules themselves are engram::HebbianRule (core/plasticity.h),
// the type the fused ops share; their weight updates are the pure functions of local_rules.h.

#include <engram/core/plasticity.h>

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace engram::layers {

using engram::Activation;
using engram::HebbianRule;

class HebbianLinearImpl;

/// Applied to every row (one output unit's incoming weights) after each learning step.
enum class WeightNormalization { kNone, kUnitNorm };

/// η_t = η_0 · f(t), t counting learn() calls, s = schedule_steps:
///   constant 1, inverse_time 1/(1 + t/s), exponential exp(−t/s), linear max(0, 1 − t/s).
enum class LearningRateSchedule { kConstant, kInverseTime, kExponential, kLinear };

std::string to_string(WeightNormalization normalization);
std::string to_string(LearningRateSchedule schedule);

/// The factor f(t) of the schedule above.
double learning_rate_factor(LearningRateSchedule schedule, int64_t step, int64_t schedule_steps);

/// One learning step's batch as a rule sees it: the layer's weights w [O, I] (detached; a rule
/// may decay them in place), inputs x [B, I], pre-activations u = x wᵀ + b [B, O] and outputs
/// y = f(u) [B, O].
struct HebbianBatch {
  at::Tensor w, x, u, y;
};

/// A rule's step: the update direction dW [O, I] (scaled by η by the layer), updating the rule's
/// own state buffers in `layer` (θ, running means, competition thresholds) on the way.
using HebbianUpdate = at::Tensor (*)(HebbianLinearImpl& layer, const HebbianBatch& batch);

/// One row of the rule table.
struct HebbianRuleEntry {
  HebbianRule rule;
  HebbianUpdate update;
  /// One line for help texts and docs.
  const char* summary;
  std::string name() const { return to_string(rule); }
};

/// Every rule HebbianLinear implements, one row each (hebbian_linear.cpp); a new rule is one
/// engram::HebbianRule value and one row.
const std::vector<HebbianRuleEntry>& hebbian_rule_table();
/// The row of `rule`; throws c10::Error naming the rule when it has none.
const HebbianRuleEntry& hebbian_rule_entry(HebbianRule rule);

} // namespace engram::layers
