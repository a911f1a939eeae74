// `engram plot results.json`: accuracy-matrix heat maps and per-task accuracy curves as PNG, drawn
// by scripts/plot_results.py with matplotlib.
#include <engram/cli/child_process.h>
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>

#include <engram/io/atomic_file.h>
#include <engram/train/results_schema.h>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace engram::cli {

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// $ENGRAM_PLOT_TIMEOUT_S, default 300: how long the plotter may run.
double plot_timeout_seconds() {
  const char* v = std::getenv("ENGRAM_PLOT_TIMEOUT_S");
  if (v == nullptr || *v == '\0')
    return 300;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  TORCH_CHECK(end != v && *end == '\0' && std::isfinite(s) && s > 0 && s <= 86400,
              "ENGRAM_PLOT_TIMEOUT_S: expected seconds in (0, 86400], got '", v, "'");
  return s;
}

std::string find_python() {
  std::vector<std::string> candidates;
  if (const char* e = std::getenv("ENGRAM_PLOT_PYTHON"))
    candidates.emplace_back(e);
  candidates.emplace_back("/usr/bin/python3");
  candidates.emplace_back("python3");
  for (const auto& py : candidates) {
    if (std::system((quote(py) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) == 0)
      return py;
  }
  return "";
}
} // namespace

bool plot_results(const std::string& results_json, const std::string& out_dir,
                  std::string& message) {
  const std::string script = locate("scripts/plot_results.py");
  if (!std::filesystem::exists(script)) {
    message = "scripts/plot_results.py not found beside the engram executable";
    return false;
  }
  const std::string py = find_python();
  if (py.empty()) {
    message = "no Python with matplotlib (tried $ENGRAM_PLOT_PYTHON, /usr/bin/python3, python3); "
              "install python3-matplotlib";
    return false;
  }
  // The plotter sees only a document that passed the schema check, runs as a child that dies
  // with engram, and has a time limit.
  train::validate_results_document(io::read_file(results_json, "results file"), results_json);
  std::cout.flush(); // what engram printed comes before anything the child prints
  std::fflush(stdout);
  const ChildResult child =
      run_child({py, script, results_json, "--out-dir", out_dir}, plot_timeout_seconds());
  if (child.exit_code != 0 || child.timed_out) {
    message = "the plotter (" + script + ") " + describe(child);
    return false;
  }
  message = out_dir;
  return true;
}

void add_plot_command(CLI::App& app) {
  auto json = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "plot", "PNG plots of a results file: accuracy-matrix heat maps, per-task accuracy");
  cmd->add_option("results", *json, "results.json written by engram run or engram compare")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out-dir", *out_dir, "Where the PNGs go (default: beside the results file)");
  cmd->callback([json, out_dir] {
    const std::string dir =
        out_dir->empty() ? std::filesystem::path(*json).parent_path().string() : *out_dir;
    std::string message;
    TORCH_CHECK(plot_results(*json, dir.empty() ? "." : dir, message), "engram plot: ", message);
    std::cout << "plots written to " << message << "\n";
  });
}

} // namespace engram::cli
