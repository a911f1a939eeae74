// TD learners and the CartPole actor-critic. The actor-critic runs twice side by side: with the
// hand-written backward pass (fused) and with autograd (baseline), both stepping
// torch::optim::Adam after clip_grad_norm_, same algorithm and work; items/s = env steps/s. The
// Python PyTorch comparison is bench/python/compare_cartpole.sh.
#include <engram/rl/agents/neural_actor_critic.h>
#include <engram/rl/agents/td_lambda.h>
#include <engram/rl/agents/true_online_td_lambda.h>
#include <engram/rl/environments/cart_pole.h>
#include <engram/rl/environments/random_walk.h>

#include <benchmark/benchmark.h>

using namespace engram::rl;

static void BM_CartPoleStep(benchmark::State& state) {
  CartPole env({}, 1);
  env.reset();
  int64_t t = 0;
  for (auto _ : state) {
    const StepResult r = env.step(t++ & 1);
    if (r.done())
      env.reset();
    benchmark::DoNotOptimize(r.observation.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CartPoleStep);

template <typename Learner>
static void BM_RandomWalkTDLambda(benchmark::State& state) {
  RandomWalk env({}, 1);
  Learner td(TDLambdaOptions(21).alpha(0.1).lambda(0.8).trace(TraceKind::kDutch));
  std::vector<double> x(21, 0.0), x2(21, 0.0);
  int64_t s = state_of(env.reset());
  for (auto _ : state) {
    const StepResult r = env.step(0);
    const int64_t s2 = state_of(r.observation);
    std::fill(x.begin(), x.end(), 0.0);
    std::fill(x2.begin(), x2.end(), 0.0);
    x[s] = 1;
    x2[s2] = 1;
    benchmark::DoNotOptimize(td.update(x, r.reward, x2, r.terminated));
    s = s2;
    if (r.done()) {
      td.begin_episode();
      s = state_of(env.reset());
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_RandomWalkTDLambda, LinearTDLambda);
BENCHMARK_TEMPLATE(BM_RandomWalkTDLambda, TrueOnlineTDLambda);

static void BM_CartPoleActorCritic(benchmark::State& state) {
  const bool fused = state.range(0) != 0;
  const int64_t steps = 8192;
  for (auto _ : state) {
    NeuralActorCritic agent(
        NeuralActorCriticOptions().total_steps(steps).stop_when_solved(false).fused_update(fused),
        [](uint64_t s) { return std::make_unique<CartPole>(CartPoleOptions{500}, s); });
    benchmark::DoNotOptimize(agent.train().env_steps);
  }
  state.SetItemsProcessed(state.iterations() * steps);
  state.SetLabel(fused ? "fused backward + Adam" : "autograd + torch Adam (baseline)");
}
BENCHMARK(BM_CartPoleActorCritic)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
