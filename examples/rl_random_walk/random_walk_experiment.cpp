#include <rl_random_walk/random_walk_experiment.h>

#include <engram/rl/agents/td_lambda.h>
#include <engram/rl/agents/true_online_td_lambda.h>
#include <engram/rl/environments/random_walk.h>

#include <cmath>

namespace engram::rl {
namespace {

template <typename Learner>
double run_experiment(const RandomWalkExperiment& ex, const TDLambdaOptions& options, double cap) {
  const int64_t n = ex.num_states;
  double total = 0.0;
  for (int64_t run = 0; run < ex.runs; ++run) {
    // Every (lambda, alpha) sees the same walks: common random numbers sharpen the comparison.
    RandomWalk env(RandomWalkOptions{n, -1.0, 1.0}, ex.seed * 1000003ULL + run);
    const std::vector<double> truth = env.true_values();
    Learner learner(options);
    std::vector<double> x(n + 2, 0.0), x_next(n + 2, 0.0);
    for (int64_t episode = 0; episode < ex.episodes; ++episode) {
      learner.begin_episode();
      int64_t s = state_of(env.reset());
      for (;;) {
        const StepResult r = env.step(0);
        const int64_t s_next = state_of(r.observation);
        std::fill(x.begin(), x.end(), 0.0);
        std::fill(x_next.begin(), x_next.end(), 0.0);
        x[s] = 1.0;
        x_next[s_next] = 1.0;
        learner.update(x, r.reward, x_next, r.terminated);
        s = s_next;
        if (r.done())
          break;
      }
      double se = 0.0;
      for (int64_t i = 1; i <= n; ++i) {
        const double d = learner.weights()[i] - truth[i];
        se += d * d;
      }
      const double rms = std::sqrt(se / static_cast<double>(n));
      total += std::isfinite(rms) ? std::min(rms, cap) : cap;
    }
  }
  return total / static_cast<double>(ex.runs * ex.episodes);
}

} // namespace

double random_walk_rms_error(const RandomWalkExperiment& experiment, double lambda, double alpha,
                             double cap) {
  const auto options = TDLambdaOptions(experiment.num_states + 2)
                           .alpha(alpha)
                           .gamma(1.0)
                           .lambda(lambda)
                           .trace(experiment.trace);
  if (experiment.algorithm == TDAlgorithm::kTrueOnlineTdLambda) {
    return run_experiment<TrueOnlineTDLambda>(experiment, options, cap);
  }
  return run_experiment<LinearTDLambda>(experiment, options, cap);
}

} // namespace engram::rl
