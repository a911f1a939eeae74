#include <engram/train/experiment.h>

#include <engram/train/device.h>
#include <engram/train/learning_rule.h>
#include <engram/train/progress_bar.h>
#include <engram/train/run_fingerprint.h>

#include <engram/cl/strategy_registry.h>
#include <engram/config.h>
#include <engram/core/join.h>
#include <engram/data/augmentation.h>
#include <engram/data/benchmark.h>
#include <engram/data/validation_split.h>
#include <engram/models/layer_registry.h>

#include <ATen/Context.h>
#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace engram::train {

RunRecord run_experiment(const ExperimentSpec& spec_given, const data::Dataset& dataset) {
  ExperimentSpec spec = spec_given;
  if (!spec.learning.empty()) {
    learning::learning_rule_info(spec.learning, "--learning");
    spec.preset.learning = spec.learning;
    spec.preset.name += "+" + spec.learning;
  }
  const c10::Device device = parse_device(spec.device);
  const data::BenchmarkName bench = data::parse_benchmark(spec.benchmark);
  const data::Scenario scenario = data::parse_scenario(spec.scenario);
  TORCH_CHECK(spec.protocol == "quick" || spec.protocol == "full",
              "run_experiment: argument 'protocol' expected quick or full, got '", spec.protocol,
              "'");
  const data::Augmentation augment = data::parse_augmentation(spec.augment);
  TORCH_CHECK(spec.pad >= 0, "run_experiment: argument 'pad' expected >= 0 (0: none), got ",
              spec.pad);
  const data::Dataset padded = spec.pad > 0 ? data::pad_dataset(dataset, spec.pad) : dataset;
  data::Stream stream = data::make_benchmark_stream(bench, padded, scenario, spec.num_tasks,
                                                    spec.seed, spec.shuffle_classes);
  if (spec.validation_fraction > 0)
    stream = data::hold_out_validation(stream, spec.validation_fraction, spec.seed);

  cl::OptionOverrides hp;
  if (auto it = spec.preset.strategies.find(spec.strategy); it != spec.preset.strategies.end())
    hp = it->second;
  for (const auto& kv : spec.overrides)
    hp[kv.first] = kv.second;
  auto strategy = cl::make_strategy(spec.strategy, hp, spec.seed);

  RunRecord r;
  r.benchmark = spec.benchmark;
  r.dataset = spec.data_dir.empty() ? dataset.name : spec.data_dir;
  r.scenario = data::to_string(scenario);
  r.strategy = spec.strategy;
  r.hyperparameters = strategy->hyperparameters();
  r.preset = spec.preset.name;
  r.preset_file = spec.preset.source;
  r.protocol = spec.protocol;
  r.iterations = spec.iterations > 0
                     ? spec.iterations
                     : (spec.protocol == "full" ? spec.preset.training.iterations
                                                : spec.preset.training.quick_iterations);
  r.batch_size = spec.batch_size > 0 ? spec.batch_size : spec.preset.training.batch_size;
  r.lr = spec.lr > 0 ? spec.lr : spec.preset.training.lr;
  r.optimizer = spec.preset.training.optimizer;
  r.seed = spec.seed;
  r.device = device_name(device);
  r.deterministic = at::globalContext().deterministicAlgorithms();
  r.validation_fraction = spec.validation_fraction;
  r.augment = data::to_string(augment);
  for (const auto& t : stream.tasks())
    r.task_descriptions.push_back(t.description);
  r.result.num_tasks = stream.num_tasks();

  const std::string why = strategy->unsupported_reason(scenario);
  if (!why.empty()) {
    r.status = "skipped";
    r.note = why;
    return r;
  }

  TrainerConfig cfg;
  cfg.iterations = r.iterations;
  cfg.batch_size = r.batch_size;
  cfg.lr = r.lr;
  cfg.optimizer = r.optimizer;
  cfg.seed = spec.seed;
  cfg.checkpoint = spec.checkpoint;
  cfg.resume = spec.resume;
  cfg.stop_after_task = spec.stop_after_task;
  cfg.device = device;
  TORCH_CHECK(spec.eval_tasks == "all" || spec.eval_tasks == "seen",
              "run_experiment: argument 'eval_tasks' expected all or seen, got '", spec.eval_tasks,
              "'");
  cfg.eval_every = spec.eval_every;
  cfg.eval_seen_only = spec.eval_tasks == "seen";
  r.eval_every = spec.eval_every;
  r.eval_tasks = spec.eval_tasks;
  r.learning = learning::model_rule(spec.preset);
  r.batch_manhattan = spec.batch_manhattan || spec.preset.training.batch_manhattan;
  cfg.model_gradient = learning::model_gradient(spec.preset);
  cfg.batch_manhattan = r.batch_manhattan;
  cfg.eval_during = spec.eval_during; // measures only: not in the fingerprint
  r.eval_during = spec.eval_during;
  r.pad = spec.pad;
  RunFingerprint fp; // everything that determines the run; not the device
  fp.add("benchmark", spec.benchmark);
  fp.add("dataset", r.dataset);
  fp.add("scenario", r.scenario);
  fp.add("num_tasks", stream.num_tasks());
  fp.add("tasks", join(r.task_descriptions, "; "));
  fp.add("shuffle_classes", spec.shuffle_classes);
  fp.add("strategy", r.strategy);
  for (const auto& kv : r.hyperparameters) {
    if (kv.second.kind == cl::OptionKind::kChoice)
      fp.add("hyperparameter " + kv.first, kv.second.to_string());
    else
      fp.add("hyperparameter " + kv.first, kv.second.value);
  }
  fp.add("preset layers", canonical_layers(spec.preset));
  fp.add("optimizer", r.optimizer);
  fp.add("iterations", r.iterations);
  fp.add("batch_size", r.batch_size);
  fp.add("lr", r.lr);
  fp.add("seed", r.seed);
  fp.add("validation_fraction", r.validation_fraction);
  fp.add("augment", r.augment);
  fp.add("eval_every", r.eval_every);
  fp.add("eval_tasks", r.eval_tasks);
  // Recorded when not the defaults, so that earlier checkpoints keep their fingerprint.
  if (r.learning != "bp")
    fp.add("learning", r.learning);
  if (r.batch_manhattan)
    fp.add("batch_manhattan", true);
  if (spec.pad > 0) // absent when off: the fingerprints of runs without padding are unchanged
    fp.add("pad", spec.pad);
  cfg.fingerprint = fp.serialize();
  if (augment != data::Augmentation::kNone) {
    const std::vector<int64_t> shape = stream.input_shape();
    const std::vector<double> fill = dataset.black_level();
    cfg.augment_batch = [shape, fill, augment](const at::Tensor& x, at::Generator& generator) {
      return data::augment_batch(x, shape, augment, fill, generator);
    };
  }
  const std::string label = r.scenario + "-IL " + r.strategy + " " + r.preset;
  ProgressBar bar(label);
  if (spec.progress)
    cfg.on_progress = [&](const Progress& p) { bar.update(p); };

  const models::Preset& preset = spec.preset;
  const std::vector<int64_t> in = stream.input_shape();
  const int64_t out = stream.num_outputs();
  auto make_model = [&preset, in, out] { return models::build_network(preset, in, out); };
  r.result =
      refuse_nondeterministic([&] { return run_continual(stream, *strategy, make_model, cfg); });
  if (spec.progress)
    bar.finish();
  r.status = r.result.complete() ? "ok" : "partial";
  return r;
}

namespace {

nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

} // namespace

std::string records_to_json(const std::vector<RunRecord>& records) {
  using nlohmann::json;
  json root;
  root["schema"] = "engram.cl.results/2";
  root["engram_version"] = ENGRAM_VERSION_STRING;
  root["created"] = utc_now();
  json runs = json::array();
  for (const auto& r : records) {
    json j;
    j["benchmark"] = r.benchmark;
    j["dataset"] = r.dataset;
    j["scenario"] = r.scenario;
    j["strategy"] = r.strategy;
    json hp = json::object();
    for (const auto& kv : r.hyperparameters) {
      if (kv.second.kind == cl::OptionKind::kChoice)
        hp[kv.first] = kv.second.to_string(); // a named variant: "vandeven"
      else if (kv.second.kind == cl::OptionKind::kInteger)
        hp[kv.first] = static_cast<int64_t>(kv.second.value);
      else
        hp[kv.first] = kv.second.value;
    }
    j["hyperparameters"] = hp;
    j["preset"] = r.preset;
    j["preset_file"] = r.preset_file;
    j["protocol"] = r.protocol;
    j["training"] = {{"optimizer", r.optimizer},
                     {"lr", r.lr},
                     {"batch_size", r.batch_size},
                     {"iterations_per_task", r.iterations},
                     {"batch_manhattan", r.batch_manhattan}};
    j["learning"] = r.learning;
    j["seed"] = r.seed;
    j["device"] = r.device;
    j["deterministic"] = r.deterministic;
    j["augment"] = r.augment;
    if (r.pad > 0)
      j["pad"] = r.pad;
    j["num_tasks"] = r.result.num_tasks;
    j["tasks"] = r.task_descriptions;
    j["evaluated_on"] = r.validation_fraction > 0 ? "validation" : "test";
    j["evaluation"] = {{"every", r.eval_every}, {"tasks", r.eval_tasks}};
    if (r.eval_during > 0) {
      json points = json::array();
      for (const auto& p : r.result.eval_during)
        points.push_back({{"task", p.task}, {"iteration", p.iteration}, {"accuracy", p.accuracy}});
      j["eval_during"] = {{"every", r.eval_during}, {"points", points}};
    }
    if (r.validation_fraction > 0)
      j["validation_fraction"] = r.validation_fraction;
    j["status"] = r.status;
    if (!r.note.empty())
      j["note"] = r.note;
    if (r.status != "skipped") {
      j["accuracy_matrix"] = r.result.accuracy;
      j["random_init_accuracy"] = r.result.random_init_accuracy;
      j["task_seconds"] = r.result.task_seconds;
      j["final_loss"] = r.result.final_loss;
      j["total_seconds"] = r.result.total_seconds;
      j["peak_rss_mb"] = r.result.peak_rss_mb;
      j["resumed_from_task"] = r.result.resumed_from;
      if (!r.result.checkpoint_device.empty())
        j["checkpoint_device"] = r.result.checkpoint_device;
      j["resumed_on_other_device"] = r.result.resumed_on_other_device;
      if (r.result.complete()) {
        j["metrics"] = {
            {"acc", finite_or_null(r.result.metrics.acc)},
            {"bwt", finite_or_null(r.result.metrics.bwt)},
            {"fwt", finite_or_null(r.result.metrics.fwt)},
            {"forgetting", finite_or_null(r.result.metrics.forgetting)},
            {"forgetting_avalanche", finite_or_null(r.result.metrics.forgetting_avalanche)},
            {"avg_incremental_acc", finite_or_null(r.result.metrics.avg_incremental_acc)}};
      }
    }
    runs.push_back(j);
  }
  root["runs"] = runs;
  return root.dump(2) + "\n";
}

std::string format_results_table(const std::vector<RunRecord>& records) {
  std::ostringstream s;
  s << std::left << std::setw(10) << "scenario" << std::setw(20) << "strategy" << std::setw(19)
    << "model" << std::right << std::setw(8) << "ACC" << std::setw(9) << "BWT" << std::setw(9)
    << "FWT" << std::setw(9) << "forget" << std::setw(9) << "forgetA" << std::setw(9) << "AIA"
    << std::setw(10) << "time(s)" << std::setw(10) << "peak MiB"
    << "\n";
  for (const auto& r : records) {
    s << std::left << std::setw(10) << r.scenario << std::setw(20) << r.strategy << std::setw(19)
      << r.preset << std::right << std::fixed;
    if (r.status == "skipped") {
      s << "  (skipped: " << r.note << ")\n";
      continue;
    }
    if (!r.result.complete()) {
      s << "  (partial: " << r.result.accuracy.size() << "/" << r.result.num_tasks << " tasks)\n";
      continue;
    }
    const auto& m = r.result.metrics;
    // A metric that needs cells that were not evaluated (--eval-every, --eval-tasks) is n/a.
    const auto cell = [](double v, int width) {
      std::ostringstream o;
      o << std::fixed << std::setprecision(2) << std::setw(width);
      if (std::isnan(v))
        o << "n/a";
      else
        o << 100 * v;
      return o.str();
    };
    s << cell(m.acc, 7) << (std::isnan(m.acc) ? " " : "%") << cell(m.bwt, 9) << cell(m.fwt, 9)
      << cell(m.forgetting, 9) << cell(m.forgetting_avalanche, 9) << cell(m.avg_incremental_acc, 9)
      << std::setprecision(1) << std::setw(10) << r.result.total_seconds << std::setprecision(0)
      << std::setw(10) << r.result.peak_rss_mb << "\n";
  }
  s << "ACC: mean final accuracy; BWT, FWT, forgetting in percentage points (BWT < 0 is "
       "forgetting); forget: Chaudhry et al.'s (max over earlier rows), forgetA: Avalanche's (just "
       "after learning); AIA: average incremental accuracy; FWT n/a in class-IL.\n";
  return s.str();
}

std::string format_accuracy_matrix(const RunRecord& r) {
  std::ostringstream s;
  s << "accuracy R[i][j] (%), row i = after training task i, column j = test on task j\n      ";
  for (int64_t j = 0; j < r.result.num_tasks; ++j)
    s << std::setw(7) << ("T" + std::to_string(j + 1));
  s << "\n" << std::fixed << std::setprecision(1);
  s << std::setw(6) << "init";
  for (double v : r.result.random_init_accuracy)
    s << std::setw(7) << 100 * v;
  s << "\n";
  for (size_t i = 0; i < r.result.accuracy.size(); ++i) {
    s << std::setw(6) << ("T" + std::to_string(i + 1));
    for (double v : r.result.accuracy[i]) {
      if (std::isnan(v))
        s << std::setw(7) << "-"; // not evaluated
      else
        s << std::setw(7) << 100 * v;
    }
    s << "\n";
  }
  return s.str();
}

} // namespace engram::train
