#include <engram/cli/results_document.h>

#include <engram/io/atomic_file.h>
#include <engram/train/results_schema.h>

#include <engram/config.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

namespace engram::cli {

namespace {
double number_or_nan(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number())
    return std::numeric_limits<double>::quiet_NaN();
  return j[key].get<double>();
}

nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json stats_json(const train::SeedStats& s) {
  return {{"n", s.n},
          {"mean", finite_or_null(s.mean)},
          {"sd", finite_or_null(s.sd)},
          {"sem", finite_or_null(s.sem)}};
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

bool is_validation(const nlohmann::json& run) {
  return run.value("evaluated_on", std::string("test")) == "validation";
}
} // namespace

int ResultsDocument::version() const {
  return doc.value("schema", std::string()) == "engram.cl.results/1" ? 1 : 2;
}

ResultsDocument read_results(const std::string& path) {
  // The schema check first (results_schema.h): a damaged file is one line naming the JSON path.
  const std::string text = io::read_file(path, "results file");
  train::validate_results_document(text, path);
  ResultsDocument r;
  r.path = path;
  r.doc = nlohmann::json::parse(text);
  const std::string schema =
      r.doc.is_object() && r.doc.contains("schema") && r.doc["schema"].is_string()
          ? r.doc["schema"].get<std::string>()
          : std::string("(none)");
  TORCH_CHECK(schema == "engram.cl.results/1" || schema == kResultsSchema, path,
              ": expected schema engram.cl.results/1 or /2, got '", schema, "'");
  TORCH_CHECK(r.doc.contains("runs") && r.doc["runs"].is_array(), path,
              ": expected a \"runs\" array");
  for (const auto& run : r.doc["runs"])
    for (const char* key : {"scenario", "strategy", "preset"})
      TORCH_CHECK(run.is_object() && run.contains(key) && run[key].is_string(), path,
                  ": a run has no string \"", key, "\"");
  return r;
}

std::string run_cell_id(const nlohmann::json& run) {
  if (run.contains("cell") && run["cell"].is_string())
    return run["cell"].get<std::string>();
  std::string id = run["scenario"].get<std::string>() + "-" + run["strategy"].get<std::string>() +
                   "-" + run["preset"].get<std::string>() + "-s" +
                   std::to_string(run.value("seed", uint64_t{0}));
  return is_validation(run) ? id + "-validation" : id;
}

train::SeedRun seed_run_from_json(const nlohmann::json& run) {
  train::SeedRun r;
  r.scenario = run["scenario"].get<std::string>();
  r.strategy = run["strategy"].get<std::string>();
  r.preset = run["preset"].get<std::string>();
  r.seed = run.value("seed", uint64_t{0});
  r.status = run.value("status", std::string("ok"));
  r.note = run.value("note", std::string());
  r.num_tasks = run.value("num_tasks", int64_t{0});
  if (run.contains("accuracy_matrix") && run["accuracy_matrix"].is_array())
    for (const auto& row : run["accuracy_matrix"]) { // null: a cell not evaluated (NaN)
      r.accuracy.emplace_back();
      for (const auto& v : row)
        r.accuracy.back().push_back(v.is_number() ? v.get<double>()
                                                  : std::numeric_limits<double>::quiet_NaN());
    }
  const nlohmann::json m = run.contains("metrics") ? run["metrics"] : nlohmann::json();
  if (r.status == "ok" && !m.is_object())
    r.status = "partial"; // a run without metrics cannot enter the statistics
  r.metrics.acc = number_or_nan(m, "acc");
  r.metrics.bwt = number_or_nan(m, "bwt");
  r.metrics.fwt = number_or_nan(m, "fwt");
  r.metrics.forgetting = number_or_nan(m, "forgetting");
  r.metrics.forgetting_avalanche = number_or_nan(m, "forgetting_avalanche"); // NaN in older files
  r.metrics.avg_incremental_acc = number_or_nan(m, "avg_incremental_acc");
  r.total_seconds = number_or_nan(run, "total_seconds");
  r.peak_rss_mb = number_or_nan(run, "peak_rss_mb");
  return r;
}

std::vector<train::CellSummary> summarize_runs(const nlohmann::json& runs) {
  std::vector<train::SeedRun> seed_runs;
  for (const auto& run : runs)
    if (!is_validation(run))
      seed_runs.push_back(seed_run_from_json(run));
  return train::summarize_seeds(seed_runs);
}

nlohmann::json make_results_document(const nlohmann::json& runs, const nlohmann::json& grid,
                                     const nlohmann::json& hp_search) {
  using nlohmann::json;
  json root;
  root["schema"] = kResultsSchema;
  root["engram_version"] = ENGRAM_VERSION_STRING;
  root["created"] = utc_now();
  if (!grid.is_null())
    root["grid"] = grid;
  if (!hp_search.is_null())
    root["hp_search"] = hp_search;
  root["runs"] = runs;
  json summary = json::array();
  for (const auto& c : summarize_runs(runs)) {
    json s;
    s["scenario"] = c.scenario;
    s["strategy"] = c.strategy;
    s["preset"] = c.preset;
    s["seeds"] = c.seeds;
    s["complete_seeds"] = c.complete;
    s["status"] = c.status;
    if (!c.note.empty())
      s["note"] = c.note;
    if (!c.complete.empty()) {
      s["metrics"] = {{"acc", stats_json(c.acc)},
                      {"bwt", stats_json(c.bwt)},
                      {"fwt", stats_json(c.fwt)},
                      {"forgetting", stats_json(c.forgetting)},
                      {"forgetting_avalanche", stats_json(c.forgetting_avalanche)},
                      {"avg_incremental_acc", stats_json(c.avg_incremental_acc)}};
      s["total_seconds"] = stats_json(c.seconds);
      s["peak_rss_mb"] = stats_json(c.peak_rss_mb);
      json mean = json::array(), sd = json::array();
      for (size_t i = 0; i < c.accuracy_mean.size(); ++i) {
        json mr = json::array(), sr = json::array();
        for (size_t j = 0; j < c.accuracy_mean[i].size(); ++j) {
          mr.push_back(finite_or_null(c.accuracy_mean[i][j]));
          sr.push_back(finite_or_null(c.accuracy_sd[i][j]));
        }
        mean.push_back(mr);
        sd.push_back(sr);
      }
      s["accuracy_matrix_mean"] = mean;
      s["accuracy_matrix_sd"] = sd;
    }
    summary.push_back(s);
  }
  root["summary"] = summary;
  return root;
}

std::string format_hp_search(const nlohmann::json& hp_search) {
  if (!hp_search.is_object() || !hp_search.contains("choices"))
    return "";
  std::ostringstream s;
  s << "hyperparameter search: " << hp_search.value("policy", std::string()) << "\n";
  for (const auto& c : hp_search["choices"]) {
    s << "  " << c.value("scenario", std::string()) << "-IL " << c.value("strategy", std::string())
      << " " << c.value("preset", std::string()) << ":";
    for (const auto& score : c["scores"]) {
      s << "  " << score.value("setting", std::string()) << " -> ";
      if (score["validation_acc"].is_number())
        s << std::fixed << std::setprecision(2) << 100 * score["validation_acc"].get<double>()
          << "%";
      else
        s << score.value("status", std::string("n/a"));
    }
    s << "\n    chosen: " << c.value("chosen", std::string()) << "\n";
  }
  return s.str();
}

} // namespace engram::cli
