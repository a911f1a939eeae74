// Seconds per task of each continual-learning strategy on Split Fashion-MNIST (MLP 2x400, batch
// 128, Adam 1e-3), next to naive fine-tuning as the baseline: the cost of each strategy's hooks
// (penalties, Fisher estimates, replayed samples, gradient projection, distillation). Two tasks,
// so that every strategy's protection is active on the second; counters give seconds per task
// (training and the strategy's end-of-task work; evaluation excluded).
//   build/bench/bench_cl_strategies --benchmark_repetitions=3
//   --benchmark_report_aggregates_only=true
// Iterations per task: ENGRAM_BENCH_ITERATIONS (default 300, the demo's quick protocol).
#include <engram/cl/strategy_registry.h>
#include <engram/data/benchmark.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/continual_trainer.h>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

namespace {

const engram::data::Dataset& fmnist() {
  static const engram::data::Dataset d =
      engram::data::load_benchmark_dataset(engram::data::parse_benchmark("split-fmnist"));
  return d;
}

const engram::models::Preset& mlp() {
  static const engram::models::Preset p = engram::models::parse_preset(
      R"({"name": "mlp-2x400", "layers": [{"type": "linear", "out_features": 400}, {"type": "relu"},
          {"type": "linear", "out_features": 400}, {"type": "relu"}]})");
  return p;
}

// Seconds of the second task (protection active) of one two-task run of `strategy`.
double second_task_seconds(const std::string& strategy, int64_t iterations) {
  using namespace engram;
  const auto scenario = strategy == "xdg" ? data::Scenario::kTask : data::Scenario::kClass;
  const auto stream =
      data::make_benchmark_stream(data::parse_benchmark("split-fmnist"), fmnist(), scenario, 5, 0);
  // Keep the first two tasks only.
  std::vector<data::Task> two{stream.task(0), stream.task(1)};
  const data::Stream s(stream.name(), scenario, stream.input_dim(), stream.num_outputs(), two);
  train::TrainerConfig cfg;
  cfg.iterations = iterations;
  cfg.batch_size = 128;
  cfg.lr = 1e-3;
  auto st = cl::make_strategy(strategy);
  auto r = train::run_continual(
      s, *st, [&] { return models::build_network(mlp(), s.input_dim(), s.num_outputs()); }, cfg);
  benchmark::DoNotOptimize(r.accuracy);
  return r.task_seconds.at(1);
}

void BM_StrategySecondsPerTask(benchmark::State& state, const std::string& strategy) {
  const char* env = std::getenv("ENGRAM_BENCH_ITERATIONS");
  const int64_t iterations = env ? std::atoll(env) : 300;
  double task_seconds = 0;
  int64_t tasks = 0;
  for (auto _ : state) {
    task_seconds += second_task_seconds(strategy, iterations);
    ++tasks;
  }
  state.counters["s_per_task"] = task_seconds / static_cast<double>(tasks);
}

const int registered = [] {
  for (const auto& name : engram::cl::strategy_names())
    benchmark::RegisterBenchmark(("cl/" + name).c_str(), BM_StrategySecondsPerTask, name)
        ->Unit(benchmark::kSecond)
        ->Iterations(1);
  return 0;
}();

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  // Without a warm-up the first strategy measured (naive, the baseline) ran ~40% slower than
  // when measured alone: first touch of the dataset and of the allocator's and kernels' caches.
  second_task_seconds("naive", 50);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
