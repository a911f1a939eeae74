#pragma once
// Continual RL on the T-maze: the rewarded arm switches every `episodes_per_block` episodes; after
// each switch, count how many episodes (and env steps) the agent needs before it enters the
// rewarded arm in `streak` consecutive episodes. Runs a NeuromodulatedActorCritic (plastic or
// not); shared by the test and the full-size example.

#include <engram/rl/agents/neuromodulated_actor_critic.h>
#include <engram/rl/environments/t_maze.h>

#include <vector>

namespace engram::rl {

struct TMazeContinualExperiment {
  int64_t corridor_length = 3;
  int64_t episodes_per_block = 50;
  int64_t blocks = 10;
  int64_t streak = 5;
  int64_t max_steps = 20;
  uint64_t seed = 0;
};

struct TMazeContinualResult {
  std::vector<int64_t> episodes_to_recover; // one per switch (blocks - 1); censored at the block
  std::vector<int64_t> steps_to_recover;
  std::vector<bool> rewarded; // per episode: entered the rewarded arm
  std::vector<int64_t> episode_steps;
  double mean_episodes_to_recover() const;
  double mean_steps_to_recover() const;
};

TMazeContinualResult run_t_maze_continual(const TMazeContinualExperiment& experiment,
                                          NeuromodulatedActorCriticOptions agent_options);

} // namespace engram::rl
