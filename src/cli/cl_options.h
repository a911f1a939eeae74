#pragma once
// Options shared by `engram run` and `engram compare`, and helpers to locate files installed or
// checked out beside the executable.

#include <string>
#include <vector>

namespace engram::cli {

// Splits "a,b,c".
std::vector<std::string> split_list(const std::string& text);

// Directory of the running executable.
std::string executable_dir();

// `path` if it exists, else the first of <exe>/../<path>, <exe>/../share/engram/<path> that does;
// `path` unchanged when none does (the error then names it).
std::string locate(const std::string& path);

} // namespace engram::cli

namespace engram::cli {
// Runs scripts/plot_results.py on `results_json`, writing PNGs into `out_dir`, with the first
// Python that can import matplotlib ($ENGRAM_PLOT_PYTHON, /usr/bin/python3, python3). Returns
// false with `message` saying why when it could not.
bool plot_results(const std::string& results_json, const std::string& out_dir,
                  std::string& message);
} // namespace engram::cli
