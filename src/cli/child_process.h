#pragma once
// Runs a helper program (the plotter) as a child that cannot outlive engram: it is killed when
// engram dies (PR_SET_PDEATHSIG) and when it exceeds its time limit. Its stderr is captured, so
// that a failure is reported as one line rather than as the child's traceback.

#include <string>
#include <vector>

namespace engram::cli {

struct ChildResult {
  bool started = false;        // false: the program could not be executed
  int exit_code = -1;          // when it exited normally
  bool timed_out = false;      // killed after `timeout_s`
  int signal = 0;              // the signal that ended it, if any
  std::string last_error_line; // last non-empty line of its stderr (e.g. Python's exception)
};

// Runs argv[0] (searched in PATH) with `argv`, stdout inherited, stderr captured, stdin closed.
ChildResult run_child(const std::vector<std::string>& argv, double timeout_s);

// "exited with status 2: ValueError: ...", "timed out after 120 s", ...
std::string describe(const ChildResult& result);

} // namespace engram::cli
