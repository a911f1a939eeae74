#pragma once
// The dopamine experiment of Schultz, Dayan & Montague (1997) run with a TD learner: per trial, the
// TD error delta at every time step of a Pavlovian conditioning trial. Shared by the tests and the
// full-size example that plots delta over time x trial.

#include <engram/rl/agents/td_lambda.h>
#include <engram/rl/environments/pavlovian_conditioning.h>

#include <vector>

namespace engram::rl {

// One trial of `env` (which must be able to start a new trial), learning online with `td`.
// Returns delta[t] for t = 0..trial_length: the TD error of the transition that arrives at time t
// (delta[0] = 0, nothing arrives at the start).
std::vector<double> run_conditioning_trial(PavlovianConditioning& env, LinearTDLambda& td);

} // namespace engram::rl
