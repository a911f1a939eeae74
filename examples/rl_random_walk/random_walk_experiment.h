#pragma once
// The 19-state random-walk prediction experiment of Sutton & Barto (2nd ed., Figures 12.3, 12.6
// and 12.8): TD(lambda) from zero values, RMS error over the non-terminal states at the end of each
// episode, averaged over the first `episodes` episodes and over `runs` independent runs. Shared by
// the tests (few runs) and the full-size example (100 runs).

#include <engram/rl/agents/eligibility_trace.h>

#include <cstdint>

namespace engram::rl {

enum class TDAlgorithm { kTdLambda, kTrueOnlineTdLambda };

struct RandomWalkExperiment {
  int64_t num_states = 19;
  int64_t episodes = 10;
  int64_t runs = 100;
  uint64_t seed = 0;
  TDAlgorithm algorithm = TDAlgorithm::kTdLambda;
  TraceKind trace = TraceKind::kAccumulating;
};

// Mean RMS error for one (lambda, alpha). Errors above `cap` (divergence) are clipped to it per
// episode so that averages stay finite, as the book's plots are clipped at their top.
double random_walk_rms_error(const RandomWalkExperiment& experiment, double lambda, double alpha,
                             double cap = 1.0);

} // namespace engram::rl
