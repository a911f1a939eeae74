// `engram plot results.json`: accuracy-matrix heat maps and per-task accuracy curves as PNG, drawn
// by scripts/plot_results.py with matplotlib.
#include <engram/cli/cl_options.h>
#include <engram/cli/commands.h>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

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
  const std::string cmd =
      quote(py) + " " + quote(script) + " " + quote(results_json) + " --out-dir " + quote(out_dir);
  if (std::system(cmd.c_str()) != 0) {
    message = "'" + cmd + "' failed";
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
