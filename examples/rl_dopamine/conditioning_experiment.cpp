#include <rl_dopamine/conditioning_experiment.h>

namespace engram::rl {

std::vector<double> run_conditioning_trial(PavlovianConditioning& env, LinearTDLambda& td) {
  std::vector<double> delta(static_cast<size_t>(env.options().trial_length) + 1, 0.0);
  td.begin_episode();
  Observation x = env.reset();
  for (;;) {
    const StepResult r = env.step(0);
    delta[static_cast<size_t>(env.time())] = td.update(x, r.reward, r.observation, r.terminated);
    x = r.observation;
    if (r.done())
      break;
  }
  return delta;
}

} // namespace engram::rl
