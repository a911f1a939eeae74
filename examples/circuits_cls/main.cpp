// Complementary learning systems and sleep, at full size, over --seeds seeds (mean +- sd):
//   AB-AC paired associates (McCloskey & Cohen 1989): the AB list's retention while the AC list
//     is learned, focused (AC alone) against interleaved (sleep replay of AB and AC);
//   temporally graded retrograde amnesia: items encoded on successive days with sleep every
//     night, then a hippocampal lesion; retention by the items' age;
//   the cls-sleep strategy against naive, replay and hippocampal-replay on a permuted synthetic
//     stream (the same trainer and streams as `engram compare`).
// Prints the numbers and writes CSV rows (panel, series, x, y); plot with
// /usr/bin/python3 scripts/plot_circuits.py <csv> <png>.
#include <engram/cl/strategy_registry.h>
#include <engram/data/dataset.h>
#include <engram/data/stream.h>
#include <engram/io/atomic_file.h>
#include <engram/models/circuits/complementary_learning_system.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/continual_trainer.h>
#include <engram/train/seed_summary.h>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace circuits = engram::models::circuits;
using circuits::ComplementaryLearningSystem;
using circuits::ComplementaryLearningSystemOptions;

namespace {

std::ostringstream csv;
void row(const char* panel, const std::string& series, double x, double y) {
  csv << panel << ',' << series << ',' << x << ',' << y << '\n';
}
// Mean and sample sd over seeds, as the study tables compute them (train/seed_summary.h).
double mean(const std::vector<double>& v) {
  return engram::train::seed_stats(v).mean;
}
double sd(const std::vector<double>& v) {
  return engram::train::seed_stats(v).sd;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Complementary learning systems: AB-AC, lesion gradient, cls-sleep vs others"};
  std::string out = "circuits_cls.csv";
  int64_t seeds = 5, days = 6, per_day = 10, night = 40, iterations = 300, tasks = 5;
  app.add_option("csv", out, "output CSV");
  app.add_option("--seeds", seeds, "seeds, 0 .. seeds - 1")->check(CLI::Range(1, 100));
  app.add_option("--days", days, "days of the lesion experiment")->check(CLI::Range(2, 100));
  app.add_option("--night", night, "sleep steps per night")->check(CLI::Range(0, 100000));
  app.add_option("--iterations", iterations, "training iterations per task of the stream")
      ->check(CLI::Range(1, 100000));
  app.add_option("--tasks", tasks, "tasks of the permuted stream")->check(CLI::Range(2, 50));
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(1);
  csv << "panel,series,x,y\n";

  // AB-AC.
  const int64_t items = 12, steps = 50, rounds = 16;
  std::vector<std::vector<double>> ab(2 * rounds), ac(2 * rounds);
  for (int64_t s = 0; s < seeds; ++s) {
    for (int mode = 0; mode < 2; ++mode) { // 0 focused, 1 interleaved
      torch::manual_seed(static_cast<uint64_t>(1000 + s));
      const at::Tensor a = torch::randn({items, 20});
      const at::Tensor cb = torch::randn({1, 10}).expand({items, 10});
      const at::Tensor cc = torch::randn({1, 10}).expand({items, 10});
      const at::Tensor ab_x = torch::cat({a, cb}, 1), ac_x = torch::cat({a, cc}, 1);
      const at::Tensor ab_y = torch::randint(8, {items}, torch::kLong);
      const at::Tensor ac_y = torch::randint(8, {items}, torch::kLong);
      ComplementaryLearningSystem cls(ComplementaryLearningSystemOptions(30, 8).hidden(64));
      cls->train_cortex(ab_x, ab_y, 400);
      if (mode == 1) {
        cls->encode(ab_x, ab_y);
        cls->encode(ac_x, ac_y);
      }
      for (int64_t r = 0; r < rounds; ++r) {
        if (mode == 0)
          cls->train_cortex(ac_x, ac_y, steps);
        else
          cls->sleep(steps);
        ab[static_cast<size_t>(mode * rounds + r)].push_back(cls->accuracy(ab_x, ab_y, false));
        ac[static_cast<size_t>(mode * rounds + r)].push_back(cls->accuracy(ac_x, ac_y, false));
      }
    }
  }
  for (int mode = 0; mode < 2; ++mode)
    for (int64_t r = 0; r < rounds; ++r) {
      const auto k = static_cast<size_t>(mode * rounds + r);
      const std::string m = mode == 0 ? "focused" : "interleaved";
      row("AB-AC: cortex accuracy vs AC-phase steps", "AB list (" + m + ")",
          static_cast<double>((r + 1) * steps), mean(ab[k]));
      row("AB-AC: cortex accuracy vs AC-phase steps", "AC list (" + m + ")",
          static_cast<double>((r + 1) * steps), mean(ac[k]));
    }
  const auto last_f = static_cast<size_t>(rounds - 1), last_i = static_cast<size_t>(2 * rounds - 1);
  std::printf("AB-AC after %lld AC-phase steps (%lld seeds): AB kept %.2f +- %.2f focused, "
              "%.2f +- %.2f interleaved; AC learned %.2f +- %.2f focused, %.2f +- %.2f "
              "interleaved\n",
              static_cast<long long>(rounds * steps), static_cast<long long>(seeds),
              mean(ab[last_f]), sd(ab[last_f]), mean(ab[last_i]), sd(ab[last_i]), mean(ac[last_f]),
              sd(ac[last_f]), mean(ac[last_i]), sd(ac[last_i]));

  // Lesion gradient.
  std::vector<std::vector<double>> kept(static_cast<size_t>(days)), intact = kept;
  for (int64_t s = 0; s < seeds; ++s) {
    torch::manual_seed(static_cast<uint64_t>(2000 + s));
    ComplementaryLearningSystem cls(
        ComplementaryLearningSystemOptions(40, 10).hidden(64).cortex_learning_rate(0.05));
    std::vector<at::Tensor> xs, ys;
    for (int64_t d = 0; d < days; ++d) {
      xs.push_back(torch::randn({per_day, 40}));
      ys.push_back(torch::randint(10, {per_day}, torch::kLong));
      cls->encode(xs.back(), ys.back());
      if (d + 1 < days)
        cls->sleep(night);
    }
    for (int64_t d = 0; d < days; ++d)
      intact[static_cast<size_t>(d)].push_back(cls->accuracy(xs[d], ys[d]));
    cls->lesion();
    for (int64_t d = 0; d < days; ++d)
      kept[static_cast<size_t>(d)].push_back(cls->accuracy(xs[d], ys[d]));
  }
  std::printf("retrograde amnesia (%lld items a day, %lld sleep steps a night, lesion after day "
              "%lld; chance 0.10):\n  nights of sleep   intact   after lesion\n",
              static_cast<long long>(per_day), static_cast<long long>(night),
              static_cast<long long>(days));
  for (int64_t d = days - 1; d >= 0; --d) {
    const auto k = static_cast<size_t>(d);
    const double age = static_cast<double>(days - 1 - d);
    row("lesion: retention vs nights of sleep since encoding", "after hippocampal lesion", age,
        mean(kept[k]));
    row("lesion: retention vs nights of sleep since encoding", "intact system", age,
        mean(intact[k]));
    std::printf("  %15.0f   %.2f     %.2f +- %.2f\n", age, mean(intact[k]), mean(kept[k]),
                sd(kept[k]));
  }

  // The strategies on a permuted synthetic stream.
  const auto preset = engram::models::parse_preset(
      R"({"name": "mlp-2x100", "layers": [{"type": "linear", "out_features": 100},
          {"type": "relu"}, {"type": "linear", "out_features": 100}, {"type": "relu"}]})",
      "circuits_cls");
  const std::vector<std::pair<std::string, engram::cl::OptionOverrides>> strategies{
      {"naive", {}},
      {"replay", {{"buffer_size", 500}}},
      {"hippocampal-replay", {{"buffer_size", 500}}},
      {"cls-sleep", {{"buffer_size", 500}}}};
  std::printf("permuted synthetic stream (%lld tasks, domain-IL, %lld iterations a task, %lld "
              "seeds):\n  strategy             ACC              BWT\n",
              static_cast<long long>(tasks), static_cast<long long>(iterations),
              static_cast<long long>(seeds));
  std::ostringstream json;
  json << "{\"stream\": \"permuted synthetic, 4 classes 6x6, noise 0.6, domain-IL\", \"tasks\": "
       << tasks << ", \"iterations\": " << iterations << ", \"seeds\": " << seeds
       << ", \"runs\": [";
  bool first_run = true;
  for (const auto& [name, hp] : strategies) {
    std::vector<double> acc, bwt;
    for (int64_t s = 0; s < seeds; ++s) {
      engram::data::SyntheticDatasetOptions o;
      o.num_classes = 4;
      o.train_per_class = 300;
      o.test_per_class = 100;
      o.noise = 0.6;
      o.seed = static_cast<uint64_t>(s);
      const auto stream = engram::data::make_permuted_stream(
          engram::data::make_synthetic_dataset(o), engram::data::Scenario::kDomain,
          {tasks, static_cast<uint64_t>(s)});
      engram::train::TrainerConfig c;
      c.iterations = iterations;
      c.batch_size = 32;
      c.lr = 1e-3;
      c.seed = static_cast<uint64_t>(s);
      auto strategy = engram::cl::make_strategy(name, hp, c.seed);
      const auto r = engram::train::run_continual(
          stream, *strategy,
          [&] {
            return engram::models::build_network(preset, stream.input_dim(), stream.num_outputs());
          },
          c);
      acc.push_back(r.metrics.acc);
      bwt.push_back(r.metrics.bwt);
      json << (first_run ? "" : ", ") << "{\"strategy\": \"" << name << "\", \"seed\": " << s
           << ", \"acc\": " << r.metrics.acc << ", \"bwt\": " << r.metrics.bwt << "}";
      first_run = false;
    }
    row("permuted synthetic stream: mean over seeds", name + " ACC", 0, mean(acc));
    row("permuted synthetic stream: mean over seeds", name + " BWT", 1, mean(bwt));
    std::printf("  %-18s   %.3f +- %.3f    %+.3f +- %.3f\n", name.c_str(), mean(acc), sd(acc),
                mean(bwt), sd(bwt));
  }
  json << "]}\n";
  const std::string json_path = out.substr(0, out.rfind('.')) + ".json";
  engram::io::write_file_atomically(out, csv.str());
  engram::io::write_file_atomically(json_path, json.str());
  std::printf("wrote %s and %s\n", out.c_str(), json_path.c_str());
  return 0;
}
