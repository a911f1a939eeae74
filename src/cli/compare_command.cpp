// `engram compare`: a grid of strategies x model presets x scenarios x seeds on one benchmark; one
// table (mean ± sd over seeds), one JSON, plots. Each seed of each grid entry is a cell with its
// own results file and checkpoint (OUT_DIR/cells/, OUT_DIR/checkpoints/): cells run in this
// process (--jobs 1) or as `engram run` child processes (--jobs N), a shard of the grid (--shard
// i/n) runs a disjoint part of the cells for `engram merge`, and --hp-grid first chooses
// hyperparameters on a validation split held out from the training data.
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>
#include <engram/cli/process_pool.h>
#include <engram/cli/results_document.h>

#include <engram/cl/strategy_registry.h>
#include <engram/core/join.h>
#include <engram/data/benchmark.h>
#include <engram/io/atomic_file.h>
#include <engram/train/experiment.h>
#include <engram/train/learning_rule.h>
#include <engram/train/seed_summary.h>
#include <engram/train/study_grid.h>

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

namespace engram::cli {

namespace {
struct CompareOptions {
  std::string benchmark = "split-fmnist";
  std::string scenarios = "class,task";
  // The classic comparison, baselines first (the registry lists names sorted, not in this order;
  // each name is checked against it before anything runs).
  std::string strategies = "naive,joint,ewc,online-ewc,si,lwf,replay,agem,xdg";
  std::string presets = "models/mlp-2x400.json";
  std::vector<std::string>
      also; // "strategy@preset-file,...": runs added to the grid in every scenario
  std::string protocol = "quick";
  std::string out_dir = "results/compare";
  std::string data_dir;
  std::string augment = "none";
  std::vector<std::string> hp;
  std::vector<std::string> hp_grid; // "strategy.key=v1,v2,...": searched on a validation split
  double validation_fraction = 0.1;
  int64_t eval_every = 1;
  std::string eval_tasks = "all";
  int64_t eval_during = 0;
  int64_t pad = 0;
  bool shuffle_classes = false; // split benchmarks: class order drawn from each cell's seed
  int64_t iterations = 0;
  int64_t num_tasks = 0;
  uint64_t seed = 0;
  std::string seeds; // "0-4", "0,3,7": overrides --seed
  int jobs = 1;
  std::string shard; // "i/n"
  int threads = 0;
  int64_t stop_after_task = -1;
  bool resume = false;
  bool no_plot = false;
  bool quiet = false;
  std::string learning; // "bp,fa,...": every preset under each rule (empty: the presets' own)
  std::string stream = "continual";
  bool batch_manhattan = false;
  DeviceOptions device;
};

// Per-strategy options as given: "ewc.lambda=100" -> {"ewc": ["lambda=100"]}, each checked by the
// strategy registry.
std::map<std::string, std::vector<std::string>>
parse_overrides(const std::vector<std::string>& hp) {
  std::map<std::string, std::vector<std::string>> overrides;
  for (const auto& h : hp) {
    const auto dot = h.find('.');
    TORCH_CHECK(dot != std::string::npos && dot > 0, "--hp: expected strategy.key=value, got '", h,
                "'");
    const std::string strategy = h.substr(0, dot);
    cl::OptionOverrides check;
    cl::parse_strategy_option(strategy, h.substr(dot + 1), check);
    overrides[strategy].push_back(h.substr(dot + 1));
  }
  return overrides;
}

// The entries of a compare: every (preset, strategy) pair in every scenario.
struct Grid {
  std::vector<models::Preset> presets;
  // Per preset: the --learning rule it runs under ("" when none; its name then ends "+<rule>").
  std::vector<std::string> learning;
  std::vector<std::string> scenarios;
  std::vector<std::pair<size_t, std::string>> runs; // (index into presets, strategy)
};

// The cross product of --presets and --strategies.
Grid make_grid(const CompareOptions& o) {
  Grid grid;
  const auto rules = split_list(o.learning);
  for (const auto& r : rules)
    learning::learning_rule_info(r, "--learning");
  for (const auto& p : split_list(o.presets)) {
    const models::Preset preset = models::load_preset(locate(p));
    if (rules.empty()) {
      grid.presets.push_back(preset);
      grid.learning.emplace_back();
    }
    for (const auto& r : rules) {
      grid.presets.push_back(preset);
      grid.presets.back().name += "+" + r;
      grid.presets.back().learning = r;
      grid.learning.push_back(r);
    }
  }
  grid.scenarios = split_list(o.scenarios);
  const auto strategies = split_list(o.strategies);
  TORCH_CHECK(!grid.presets.empty() && !grid.scenarios.empty() && !strategies.empty(),
              "compare: --presets, --scenarios and --strategies each need at least one entry");
  for (size_t p = 0; p < grid.presets.size(); ++p)
    for (const auto& strategy : strategies)
      grid.runs.emplace_back(p, strategy);
  return grid;
}

// The --also runs ("strategy@preset-file") not already in the grid, after it.
void add_also_runs(const std::vector<std::string>& also_lists, Grid& grid) {
  std::vector<std::string> also;
  for (const auto& list : also_lists)
    for (const auto& item : split_list(list))
      also.push_back(item);
  for (const auto& item : also) {
    const auto at = item.find('@');
    TORCH_CHECK(at != std::string::npos && at > 0 && at + 1 < item.size(),
                "--also: expected strategy@preset-file, got '", item, "'");
    const std::string strategy = item.substr(0, at);
    models::Preset preset = models::load_preset(locate(item.substr(at + 1)));
    size_t p = 0;
    while (p < grid.presets.size() && grid.presets[p].name != preset.name)
      ++p;
    if (p == grid.presets.size()) {
      grid.presets.push_back(std::move(preset));
      grid.learning.emplace_back();
    }
    if (std::find(grid.runs.begin(), grid.runs.end(), std::make_pair(p, strategy)) ==
        grid.runs.end())
      grid.runs.emplace_back(p, strategy);
  }
}

// One unit of work: one seed of one grid entry, evaluated on the test set, or (hyperparameter
// search) one setting evaluated on the validation split.
struct Cell {
  std::string scenario;
  size_t preset = 0;
  std::string strategy;
  uint64_t seed = 0;
  std::vector<std::string>
      hp; // "key=value" of the strategy: --hp, then the chosen/searched setting
  std::map<std::string, std::string> setting_values; // the --hp-grid setting, key -> value
  std::string setting;                               // the same as text ("" when none)
  bool validation = false;
  std::string id;   // scenario-strategy-preset-s<seed>[-val-<setting>]
  std::string stem; // file name stem: id and a hash of everything the cell's numbers depend on
};

std::string slug(const std::string& text) {
  std::string s;
  for (char c : text)
    s +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  return s;
}

// Everything that a cell's numbers depend on, as one line.
std::string cell_config(const CompareOptions& o, const Grid& g, const Cell& c) {
  std::ostringstream s;
  s << o.benchmark << "|" << o.protocol << "|" << o.iterations << "|" << o.num_tasks << "|"
    << o.data_dir << "|" << c.scenario << "|" << c.strategy << "|" << g.presets[c.preset].name
    << "|" << g.presets[c.preset].source << "|" << c.seed << "|" << join(c.hp, ";") << "|"
    << (c.validation ? o.validation_fraction : 0.0);
  if (o.batch_manhattan)
    s << "|batch_manhattan";
  if (o.shuffle_classes) // absent when off: cells of earlier grids keep their names
    s << "|shuffle_classes";
  return s.str();
}

Cell make_cell(const CompareOptions& o, const Grid& g,
               const std::map<std::string, std::vector<std::string>>& overrides,
               const std::string& scenario, size_t preset, const std::string& strategy,
               uint64_t seed, const std::map<std::string, std::string>& setting, bool validation) {
  Cell c;
  c.scenario = scenario;
  c.preset = preset;
  c.strategy = strategy;
  c.seed = seed;
  if (auto it = overrides.find(strategy); it != overrides.end())
    c.hp = it->second;
  for (const auto& kv : setting)
    c.hp.push_back(kv.first + "=" + kv.second);
  c.setting_values = setting;
  c.setting = train::format_hp_setting(setting);
  c.validation = validation;
  c.id = scenario + "-" + strategy + "-" + g.presets[preset].name + "-s" + std::to_string(seed);
  if (validation)
    c.id += "-val-" + c.setting;
  c.stem = slug(c.id) + "-" + train::fingerprint_hex(cell_config(o, g, c)).substr(0, 8);
  return c;
}

struct Paths {
  std::string json, log, checkpoint;
};
Paths cell_paths(const CompareOptions& o, const Cell& c) {
  namespace fs = std::filesystem;
  const fs::path dir(o.out_dir);
  return {(dir / "cells" / (c.stem + ".json")).string(),
          (dir / "cells" / (c.stem + ".log")).string(),
          (dir / "checkpoints" / (c.stem + ".ckpt")).string()};
}

train::ExperimentSpec make_spec(const CompareOptions& o, const Grid& g, const Cell& c) {
  train::ExperimentSpec spec;
  spec.preset = g.presets[c.preset];
  if (const std::string& rule = g.learning[c.preset]; !rule.empty()) {
    // As a child `engram run --learning` does: the preset's own name, "+<rule>" added there.
    spec.preset.name.resize(spec.preset.name.size() - rule.size() - 1);
    spec.learning = rule;
  }
  spec.batch_manhattan = o.batch_manhattan;
  spec.benchmark = o.benchmark;
  spec.scenario = c.scenario;
  spec.strategy = c.strategy;
  for (const auto& h : c.hp)
    cl::parse_strategy_option(c.strategy, h, spec.overrides);
  spec.protocol = o.protocol;
  spec.iterations = o.iterations;
  spec.num_tasks = o.num_tasks;
  spec.seed = c.seed;
  spec.data_dir = o.data_dir;
  spec.augment = o.augment;
  spec.shuffle_classes = o.shuffle_classes;
  spec.resume = o.resume;
  spec.stop_after_task = o.stop_after_task;
  spec.progress = !o.quiet;
  spec.device = o.device.device;
  spec.checkpoint = cell_paths(o, c).checkpoint;
  spec.validation_fraction = c.validation ? o.validation_fraction : 0;
  spec.eval_every = o.eval_every;
  spec.eval_tasks = o.eval_tasks;
  spec.eval_during = o.eval_during;
  spec.pad = o.pad;
  return spec;
}

// The `engram run` command line that computes `c` in a child process.
std::vector<std::string> cell_command(const CompareOptions& o, const Grid& g, const Cell& c,
                                      int threads) {
  const Paths paths = cell_paths(o, c);
  std::vector<std::string> a = {executable_dir() + "/engram",
                                "run",
                                g.presets[c.preset].source,
                                "--benchmark",
                                o.benchmark,
                                "--scenario",
                                c.scenario,
                                "--strategy",
                                c.strategy,
                                "--protocol",
                                o.protocol,
                                "--seed",
                                std::to_string(c.seed),
                                "--out",
                                paths.json,
                                "--checkpoint",
                                paths.checkpoint,
                                "--threads",
                                std::to_string(threads),
                                "--quiet"};
  for (const auto& h : c.hp) {
    a.push_back("--hp");
    a.push_back(h);
  }
  if (o.iterations > 0)
    a.insert(a.end(), {"--iterations", std::to_string(o.iterations)});
  if (o.num_tasks > 0)
    a.insert(a.end(), {"--tasks", std::to_string(o.num_tasks)});
  if (!o.data_dir.empty())
    a.insert(a.end(), {"--data-dir", o.data_dir});
  if (c.validation) {
    std::ostringstream f;
    f.precision(17);
    f << o.validation_fraction;
    a.insert(a.end(), {"--validation-fraction", f.str()});
  }
  if (o.stop_after_task >= 0)
    a.insert(a.end(), {"--stop-after-task", std::to_string(o.stop_after_task)});
  a.insert(a.end(), {"--device", o.device.device, "--augment", o.augment, "--eval-every",
                     std::to_string(o.eval_every), "--eval-tasks", o.eval_tasks});
  if (o.eval_during > 0)
    a.insert(a.end(), {"--eval-during", std::to_string(o.eval_during)});
  if (o.pad > 0)
    a.insert(a.end(), {"--pad", std::to_string(o.pad)});
  if (o.shuffle_classes)
    a.push_back("--shuffle-classes");
  if (o.device.deterministic)
    a.push_back("--deterministic");
  if (!g.learning[c.preset].empty())
    a.insert(a.end(), {"--learning", g.learning[c.preset]});
  if (o.batch_manhattan)
    a.push_back("--batch-manhattan");
  if (o.resume)
    a.push_back("--resume");
  return a;
}

// The run of a cell's results file; null when there is none or it cannot be read.
nlohmann::json read_cell_run(const std::string& path, const Cell& c) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return nullptr;
  try {
    ResultsDocument d = read_results(path);
    if (d.doc["runs"].size() != 1)
      return nullptr;
    nlohmann::json run = d.doc["runs"][0];
    run["cell"] = c.id;
    return run;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Runs `cells` (in this process with --jobs 1, else as child processes), reusing under --resume
// the cells whose results file says they are complete. `on_result(i)` is called as each result
// arrives. Returns one run per cell (null for a cell that failed).
std::vector<nlohmann::json>
execute(const CompareOptions& o, const Grid& g, const std::vector<Cell>& cells,
        const std::function<void(const std::vector<nlohmann::json>&)>& on_result) {
  namespace fs = std::filesystem;
  std::vector<nlohmann::json> results(cells.size());
  std::vector<size_t> pending;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (o.resume) {
      nlohmann::json run = read_cell_run(cell_paths(o, cells[i]).json, cells[i]);
      const std::string status = run.is_object() ? run.value("status", std::string()) : "";
      if (status == "ok" || status == "skipped") {
        results[i] = run;
        continue;
      }
    }
    pending.push_back(i);
  }
  fs::create_directories(fs::path(o.out_dir) / "cells");
  fs::create_directories(fs::path(o.out_dir) / "checkpoints");
  if (cells.size() > pending.size()) {
    std::cerr << "engram compare: " << cells.size() - pending.size() << " of " << cells.size()
              << " cells reused from " << (fs::path(o.out_dir) / "cells").string() << "\n";
    on_result(results);
  }
  const auto start = std::chrono::steady_clock::now();
  if (o.jobs <= 1) {
    std::map<uint64_t, data::Dataset> datasets; // by seed for the synthetic data, else one
    const auto bench = data::parse_benchmark(o.benchmark);
    size_t done = 0;
    for (size_t i : pending) {
      const Cell& c = cells[i];
      const uint64_t key = bench.dataset == "synthetic" ? c.seed : 0;
      if (!datasets.count(key)) {
        if (bench.dataset == "synthetic")
          datasets.clear();
        datasets.emplace(key, data::load_benchmark_dataset(bench, o.data_dir, c.seed));
      }
      std::cerr << "[" << done + 1 << "/" << pending.size() << "] " << c.id;
      if (done > 0) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cerr << "   (ETA " << static_cast<long>(elapsed / done * (pending.size() - done))
                  << " s)";
      }
      std::cerr << "\n";
      const train::RunRecord record = train::run_experiment(make_spec(o, g, c), datasets.at(key));
      // The same document as the `engram run` of a child process writes.
      const nlohmann::json runs = nlohmann::json::parse(train::records_to_json({record}))["runs"];
      io::write_file_atomically(cell_paths(o, c).json,
                                make_results_document(runs, nullptr, nullptr).dump(2) + "\n");
      results[i] = read_cell_run(cell_paths(o, c).json, c);
      ++done;
      on_result(results);
    }
    return results;
  }
  const int threads =
      o.threads > 0 ? o.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / o.jobs);
  std::vector<ChildJob> jobs;
  for (size_t i : pending)
    jobs.push_back(
        {cell_command(o, g, cells[i], threads), cell_paths(o, cells[i]).log, cells[i].id});
  if (!o.quiet && !jobs.empty())
    std::cerr << "engram compare: " << jobs.size() << " cells, " << o.jobs << " at a time, "
              << threads << " thread(s) each; logs in " << (fs::path(o.out_dir) / "cells").string()
              << "\n";
  const auto status = run_child_jobs(
      jobs, o.jobs,
      [&](size_t j, int st) {
        const size_t i = pending[j];
        if (st == 0)
          results[i] = read_cell_run(cell_paths(o, cells[i]).json, cells[i]);
        on_result(results);
      },
      o.quiet);
  std::vector<std::string> failed;
  for (size_t j = 0; j < status.size(); ++j)
    if (status[j] != 0)
      failed.push_back(cells[pending[j]].id + " (log " + jobs[j].log_path + ")");
  TORCH_CHECK(failed.empty(), "compare: ", failed.size(), " cell(s) failed: ", join(failed, ", "));
  return results;
}

nlohmann::json collect(const std::vector<nlohmann::json>& results) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : results)
    if (r.is_object())
      runs.push_back(r);
  return runs;
}

// --hp-grid: every setting on the validation split of the first seed; the best validation ACC per
// scenario x strategy x model is kept. Returns the hp_search section; fills `chosen`.
nlohmann::json search_hyperparameters(
    const CompareOptions& o, const Grid& g, const std::vector<train::HpAxis>& axes,
    const std::map<std::string, std::vector<std::string>>& overrides, uint64_t seed,
    std::map<std::string, std::map<std::string, std::string>>& chosen) {
  std::vector<Cell> cells;
  for (const auto& scenario : g.scenarios)
    for (const auto& run : g.runs) {
      const auto settings = train::hp_settings(axes, run.second);
      if (settings.size() < 2 && settings.front().empty())
        continue;
      for (const auto& s : settings)
        cells.push_back(make_cell(o, g, overrides, scenario, run.first, run.second, seed, s, true));
    }
  std::cerr << "engram compare: hyperparameter search, " << cells.size()
            << " validation run(s) on seed " << seed << "\n";
  const auto results = execute(o, g, cells, [](const std::vector<nlohmann::json>&) {});
  nlohmann::json grid = nlohmann::json::object();
  for (const auto& a : axes)
    grid[a.strategy + "." + a.key] = a.values;
  nlohmann::json choices = nlohmann::json::array();
  for (size_t i = 0; i < cells.size();) {
    size_t j = i;
    while (j < cells.size() && cells[j].scenario == cells[i].scenario &&
           cells[j].preset == cells[i].preset && cells[j].strategy == cells[i].strategy)
      ++j;
    nlohmann::json scores = nlohmann::json::array();
    double best = -1;
    size_t best_cell = i;
    for (size_t k = i; k < j; ++k) {
      const auto& r = results[k];
      nlohmann::json score = {{"setting", cells[k].setting}};
      const bool ok = r.is_object() && r.value("status", std::string()) == "ok" &&
                      r.contains("metrics") && r["metrics"]["acc"].is_number();
      score["validation_acc"] = ok ? r["metrics"]["acc"] : nlohmann::json(nullptr);
      score["status"] = r.is_object() ? r.value("status", std::string()) : "failed";
      if (ok && r["metrics"]["acc"].get<double>() > best) {
        best = r["metrics"]["acc"].get<double>();
        best_cell = k;
      }
      scores.push_back(score);
    }
    const std::string key =
        cells[i].scenario + "|" + std::to_string(cells[i].preset) + "|" + cells[i].strategy;
    chosen[key] = cells[best_cell].setting_values;
    choices.push_back({{"scenario", cells[i].scenario},
                       {"strategy", cells[i].strategy},
                       {"preset", g.presets[cells[i].preset].name},
                       {"seed", seed},
                       {"scores", scores},
                       {"chosen", cells[best_cell].setting}});
    i = j;
  }
  std::ostringstream policy;
  policy << "each setting trained on " << 100 * (1 - o.validation_fraction)
         << "% of each task's training set (drawn by seed " << seed
         << ") and scored by the average accuracy on the held-out " << 100 * o.validation_fraction
         << "%; the best per scenario x strategy x model is then trained on the whole training "
            "set with every seed and reported on the test set";
  return {{"policy", policy.str()},
          {"validation_fraction", o.validation_fraction},
          {"seed", seed},
          {"grid", grid},
          {"choices", choices}};
}

// The table (printed and written to table.txt), where the files are, and the plots.
void report(const CompareOptions& o, const nlohmann::json& doc, const std::string& json_path,
            const std::string& table_path, const std::string& seeds, double seconds, bool plot) {
  const std::string table = train::format_seed_table(summarize_runs(doc["runs"]));
  io::write_file_atomically(table_path, table);
  std::cout << "\n"
            << o.benchmark << " (" << o.protocol << " protocol, seed"
            << (seeds.find_first_of(",-") == std::string::npos ? " " : "s ") << seeds << ")\n";
  if (doc.contains("hp_search"))
    std::cout << format_hp_search(doc["hp_search"]);
  std::cout << table;
  std::cout << "results: " << json_path << "   table: " << table_path
            << "   wall time: " << static_cast<long>(seconds) << " s\n";
  if (plot && !o.no_plot) {
    std::string message;
    if (plot_results(json_path, o.out_dir, message))
      std::cout << "plots: " << message << "\n";
    else
      std::cerr << "engram compare: no plots: " << message << "\n";
  }
}

void compare(const CompareOptions& given) {
  namespace fs = std::filesystem;
  CompareOptions o = given;
  o.benchmark = benchmark_for_stream(o.benchmark, o.stream);
  if (o.threads > 0)
    at::set_num_threads(o.threads);
  apply_device_options(o.device); // an unknown device fails before anything runs
  const auto overrides = parse_overrides(o.hp);
  const auto axes = train::parse_hp_grid(o.hp_grid);
  const std::vector<uint64_t> seeds =
      o.seeds.empty() ? std::vector<uint64_t>{o.seed} : train::parse_seed_list(o.seeds);
  const train::Shard shard = o.shard.empty() ? train::Shard{} : train::parse_shard(o.shard);
  TORCH_CHECK(axes.empty() || o.shard.empty(),
              "--hp-grid and --shard: a search needs every validation run in one place; run the "
              "search once, then pass the chosen values to the shards with --hp");
  Grid grid = make_grid(o);
  add_also_runs(o.also, grid);
  for (const auto& run : grid.runs)
    cl::strategy_info(run.second); // an unknown strategy fails before any run
  for (const auto& a : axes) {
    TORCH_CHECK(std::any_of(grid.runs.begin(), grid.runs.end(),
                            [&](const auto& r) { return r.second == a.strategy; }),
                "--hp-grid: strategy '", a.strategy, "' is not in the grid");
    for (const auto& v : a.values) {
      cl::OptionOverrides check;
      cl::parse_strategy_option(a.strategy, a.key + "=" + v, check);
    }
  }
  check_output_dir("--out-dir", o.out_dir); // before the data are read and anything trains
  data::parse_benchmark(o.benchmark);

  // The grid's identity: every option that changes which cells exist or what they compute.
  std::ostringstream spec;
  spec << o.benchmark << "|" << o.protocol << "|" << o.iterations << "|" << o.num_tasks << "|"
       << o.data_dir << "|" << join(grid.scenarios, ",") << "|" << train::format_seed_list(seeds)
       << "|" << join(o.hp, ";") << "|" << join(o.hp_grid, ";") << "|" << o.validation_fraction
       << "|" << o.augment << "|" << o.eval_every << "|" << o.eval_tasks
       << (o.batch_manhattan ? "|batch_manhattan" : "");
  if (o.pad > 0) // absent when off: grids without padding keep their fingerprints
    spec << "|pad " << o.pad;
  if (o.shuffle_classes)
    spec << "|shuffle_classes";
  for (const auto& run : grid.runs)
    spec << "|" << run.second << "@" << grid.presets[run.first].name;
  const std::string fingerprint = train::fingerprint_hex(spec.str());

  const auto start = std::chrono::steady_clock::now();
  nlohmann::json hp_search;
  std::map<std::string, std::map<std::string, std::string>> chosen;
  if (!axes.empty())
    hp_search = search_hyperparameters(o, grid, axes, overrides, seeds.front(), chosen);

  std::vector<Cell> all;
  for (const auto& scenario : grid.scenarios)
    for (const auto& run : grid.runs) {
      const std::string key = scenario + "|" + std::to_string(run.first) + "|" + run.second;
      const auto it = chosen.find(key);
      for (uint64_t seed : seeds)
        all.push_back(make_cell(
            o, grid, overrides, scenario, run.first, run.second, seed,
            it == chosen.end() ? std::map<std::string, std::string>{} : it->second, false));
    }
  nlohmann::json grid_json = {{"fingerprint", fingerprint},
                              {"benchmark", o.benchmark},
                              {"protocol", o.protocol},
                              {"seeds", seeds},
                              {"cells", nlohmann::json::array()}};
  for (const auto& c : all)
    grid_json["cells"].push_back(c.id);
  std::vector<Cell> cells;
  for (size_t i : train::shard_cells(all.size(), shard))
    cells.push_back(all[i]);
  std::string json_path = (fs::path(o.out_dir) / "results.json").string();
  std::string table_path = (fs::path(o.out_dir) / "table.txt").string();
  if (!o.shard.empty()) {
    grid_json["shard"] = o.shard;
    const std::string tag =
        ".shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
    json_path = (fs::path(o.out_dir) / ("results" + tag + ".json")).string();
    table_path = (fs::path(o.out_dir) / ("table" + tag + ".txt")).string();
    std::cerr << "engram compare: shard " << o.shard << ": " << cells.size() << " of " << all.size()
              << " cells\n";
  }
  const auto write = [&](const std::vector<nlohmann::json>& results) {
    io::write_file_atomically(
        json_path, make_results_document(collect(results), grid_json, hp_search).dump(2) + "\n");
  };
  const auto results = execute(o, grid, cells, write);
  write(results);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json doc = make_results_document(collect(results), grid_json, hp_search);
  report(o, doc, json_path, table_path, train::format_seed_list(seeds), seconds, o.shard.empty());
}
} // namespace

void add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare", "Grid of strategies x model presets x scenarios x seeds on one benchmark");
  cmd->add_option("--benchmark", o->benchmark,
                  "split|permuted|rotated[-fmnist|-mnist|-cifar10|-cifar100|-synthetic]")
      ->capture_default_str();
  cmd->add_option("--scenarios", o->scenarios, "Comma-separated: task, domain, class")
      ->capture_default_str();
  const std::string strategy_help = "Comma-separated, of: " + join(cl::strategy_names());
  cmd->add_option("--strategies", o->strategies, strategy_help)->capture_default_str();
  cmd->add_option("--presets", o->presets, "Comma-separated model preset files")
      ->capture_default_str();
  cmd->add_option("--learning", o->learning,
                  "Comma-separated learning rules, each preset run under each (model name "
                  "<preset>+<rule>), of: " +
                      join(learning::learning_rule_names()));
  add_stream_option(*cmd, o->stream);
  add_batch_manhattan_option(*cmd, o->batch_manhattan);
  cmd->add_option(
      "--also", o->also,
      "Comma-separated strategy@preset-file runs added to the grid in every scenario (repeatable)");
  cmd->add_option("--protocol", o->protocol, "quick | full")->capture_default_str();
  cmd->add_option("--iterations", o->iterations, "Iterations per task (overrides the protocol)")
      ->check(integer_in(1, kMaxIterations));
  cmd->add_option("--tasks", o->num_tasks, "Number of tasks")->check(integer_in(1, kMaxTasks));
  auto* seed = cmd->add_option("--seed", o->seed, "Seed (one; see --seeds)")
                   ->check(unsigned_integer())
                   ->capture_default_str();
  cmd->add_option("--seeds", o->seeds,
                  "Seeds, each its own run: 0-4, 0,3,7 (the table shows mean ± sd over them)")
      ->excludes(seed);
  cmd->add_option("--jobs", o->jobs,
                  "Cells run at once, each an `engram run` process with --threads cores/N")
      ->check(integer_in(1, 1024))
      ->capture_default_str();
  cmd->add_option("--shard", o->shard,
                  "Run part i of n (0 <= i < n) of the grid's cells, for `engram merge`");
  cmd->add_option("--data-dir", o->data_dir,
                  "MNIST-format or CIFAR-format directory to use instead of the default");
  cmd->add_option("--augment", o->augment,
                  "Training augmentation: none | standard (4-pixel random crop + flip)")
      ->check(CLI::IsMember({"none", "standard"}))
      ->capture_default_str();
  cmd->add_option("--hp", o->hp, "strategy.key=value (repeatable), e.g. --hp ewc.lambda=5000");
  cmd->add_option("--hp-grid", o->hp_grid,
                  "strategy.key=v1,v2,... (repeatable; several keys: their product), chosen on a "
                  "validation split of the training data, e.g. --hp-grid ewc.lambda=1e2,1e3,1e4");
  add_evaluation_options(*cmd, o->eval_every, o->eval_tasks);
  add_eval_during_option(*cmd, o->eval_during);
  add_pad_option(*cmd, o->pad);
  cmd->add_flag("--shuffle-classes", o->shuffle_classes,
                "Split: each cell's class order drawn from its seed (as van de Ven et al.'s code)");
  cmd->add_option("--validation-fraction", o->validation_fraction,
                  "Fraction of each task's training set held out for --hp-grid")
      ->check(number_in(0.01, 0.5))
      ->capture_default_str();
  cmd->add_option("--out-dir", o->out_dir,
                  "Where results.json, table.txt, plots, cells/ and checkpoints/ go")
      ->capture_default_str();
  cmd->add_flag("--resume", o->resume,
                "Reuse the finished cells and checkpoints of an interrupted compare");
  cmd->add_option("--stop-after-task", o->stop_after_task,
                  "Stop every cell after this task (0-based) is checkpointed, as if killed")
      ->check(integer_in(0, kMaxTasks));
  cmd->add_option("--threads", o->threads,
                  "Intra-op threads per cell (default: LibTorch's; with --jobs N, cores/N)")
      ->check(integer_in(1, kMaxThreads));
  cmd->add_flag("--no-plot", o->no_plot, "Skip the PNG plots");
  cmd->add_flag("--quiet", o->quiet, "No progress display");
  add_device_options(*cmd, o->device);
  cmd->callback([o] { compare(*o); });
}

} // namespace engram::cli
