#pragma once
// Runs commands as child processes, at most N at once (`compare --jobs N`): each child's output
// goes to its own log file, and one aggregated progress line (done, running, ETA) is printed.

#include <functional>
#include <string>
#include <vector>

namespace engram::cli {

struct ChildJob {
  std::vector<std::string> argv; // argv[0] is the executable's path
  std::string log_path;          // stdout and stderr of the child (truncated)
  std::string label;             // shown in the progress lines
};

// Runs every job, `parallel` (>= 1) at a time, in order of the list. `on_exit(i, status)` is
// called in the parent as each job ends (status: the exit code, or 128 + signal). A child is sent
// SIGTERM when the parent dies. Returns the statuses.
std::vector<int> run_child_jobs(const std::vector<ChildJob>& jobs, int parallel,
                                const std::function<void(size_t, int)>& on_exit, bool quiet);

} // namespace engram::cli
