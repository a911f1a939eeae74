#pragma once
// A one-line progress display on a terminal: run label, task, iteration, loss, ETA. Quiet when the
// stream is not a terminal (logs, CI) apart from one line per finished task.

#include <engram/train/continual_trainer.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace engram::train {

class ProgressBar {
public:
  // `out` is usually stderr; `interactive` defaults to whether it is a terminal.
  explicit ProgressBar(std::string label, std::FILE* out = stderr, int interactive = -1);
  void update(const Progress& p);
  // Clears the line (terminal) so that normal output continues cleanly.
  void finish();

private:
  std::string label_;
  std::FILE* out_;
  bool interactive_;
  int64_t last_task_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string format_duration(double seconds);

} // namespace engram::train
