#include <engram/rl/environments/environment.h>

#include <c10/util/Exception.h>

namespace engram::rl {

Observation Environment::reset() {
  started_ = true;
  done_ = false;
  episode_steps_ = 0;
  return reset_impl();
}

StepResult Environment::step(int64_t action) {
  TORCH_CHECK(started_, name(), "::step: no episode started, call reset() first");
  TORCH_CHECK(!done_, name(), "::step: episode is done (step after done), call reset() first");
  const Space actions = action_space();
  TORCH_CHECK(actions.contains(action), name(), "::step: argument 'action' expected in ",
              actions.to_string(), " (0..", actions.n - 1, "), got ", action);
  StepResult result = step_impl(action);
  ++episode_steps_;
  done_ = result.done();
  return result;
}

} // namespace engram::rl
