#include <rl_continual_tmaze/t_maze_continual_experiment.h>

#include <c10/util/Exception.h>

#include <numeric>

namespace engram::rl {

double TMazeContinualResult::mean_episodes_to_recover() const {
  if (episodes_to_recover.empty())
    return 0.0;
  return std::accumulate(episodes_to_recover.begin(), episodes_to_recover.end(), 0.0) /
         static_cast<double>(episodes_to_recover.size());
}

double TMazeContinualResult::mean_steps_to_recover() const {
  if (steps_to_recover.empty())
    return 0.0;
  return std::accumulate(steps_to_recover.begin(), steps_to_recover.end(), 0.0) /
         static_cast<double>(steps_to_recover.size());
}

TMazeContinualResult run_t_maze_continual(const TMazeContinualExperiment& ex,
                                          NeuromodulatedActorCriticOptions agent_options) {
  TORCH_CHECK(ex.episodes_per_block > ex.streak && ex.blocks >= 2 && ex.streak >= 1,
              "run_t_maze_continual: expected episodes_per_block > streak >= 1 and blocks >= 2, "
              "got episodes_per_block=",
              ex.episodes_per_block, " streak=", ex.streak, " blocks=", ex.blocks);
  TMazeOptions maze;
  maze.corridor_length = ex.corridor_length;
  maze.max_steps = ex.max_steps;
  TMaze env(maze, ex.seed);
  NeuromodulatedActorCritic agent(
      agent_options.num_states(env.observation_space().n).num_actions(3).seed(ex.seed));
  TMazeContinualResult result;
  for (int64_t block = 0; block < ex.blocks; ++block) {
    if (block > 0)
      env.switch_reward_side();
    for (int64_t e = 0; e < ex.episodes_per_block; ++e) {
      agent.begin_episode();
      int64_t s = state_of(env.reset());
      StepResult r;
      do {
        const int64_t a = agent.select_action(s);
        r = env.step(a);
        const int64_t s2 = state_of(r.observation);
        agent.update(s, a, r.reward, s2, r.terminated);
        s = s2;
      } while (!r.done());
      result.rewarded.push_back(r.terminated && env.chosen_side() == env.reward_side());
      result.episode_steps.push_back(env.episode_steps());
    }
    if (block == 0)
      continue;
    const int64_t first = block * ex.episodes_per_block;
    const int64_t end = first + ex.episodes_per_block;
    int64_t recovered = ex.episodes_per_block, steps = 0, run = 0;
    for (int64_t e = first; e < end; ++e) {
      run = result.rewarded[e] ? run + 1 : 0;
      if (run == ex.streak) {
        recovered = e - ex.streak + 1 - first;
        break;
      }
    }
    for (int64_t e = first; e < first + recovered; ++e)
      steps += result.episode_steps[e];
    result.episodes_to_recover.push_back(recovered);
    result.steps_to_recover.push_back(steps);
  }
  return result;
}

} // namespace engram::rl
