#include <engram/rl/environments/pavlovian_conditioning.h>

#include <c10/util/Exception.h>

namespace engram::rl {

PavlovianConditioning::PavlovianConditioning(PavlovianConditioningOptions options, uint64_t seed)
    : Environment(seed), options_(options) {
  const auto& o = options_;
  TORCH_CHECK(o.cue_time >= 1 && o.cue_time < o.reward_time && o.reward_time <= o.trial_length,
              "PavlovianConditioning: expected 1 <= cue_time < reward_time <= trial_length, got "
              "cue_time=",
              o.cue_time, " reward_time=", o.reward_time, " trial_length=", o.trial_length);
  TORCH_CHECK(o.omission_probability >= 0 && o.omission_probability <= 1,
              "PavlovianConditioning: argument 'omission_probability' expected in [0, 1], got ",
              o.omission_probability);
}

Space PavlovianConditioning::observation_space() const {
  const auto dim = static_cast<size_t>(options_.trial_length - options_.cue_time + 1);
  return Space::box(std::vector<double>(dim, 0.0), std::vector<double>(dim, 1.0));
}

Observation PavlovianConditioning::features() const {
  Observation x(static_cast<size_t>(options_.trial_length - options_.cue_time + 1), 0.0);
  if (time_ >= options_.cue_time)
    x[time_ - options_.cue_time] = 1.0;
  return x;
}

Observation PavlovianConditioning::reset_impl() {
  time_ = 0;
  omitted_ = omit_next_ || (options_.omission_probability > 0 &&
                            uniform(0.0, 1.0) < options_.omission_probability);
  omit_next_ = false;
  return features();
}

StepResult PavlovianConditioning::step_impl(int64_t /*action*/) {
  ++time_;
  StepResult r;
  r.observation = features();
  r.reward = (time_ == options_.reward_time && !omitted_) ? options_.reward_magnitude : 0.0;
  r.terminated = time_ >= options_.trial_length;
  return r;
}

} // namespace engram::rl
