#include <engram/train/progress_bar.h>

#include <cmath>
#include <unistd.h>

namespace engram::train {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  const auto s = static_cast<long>(std::lround(seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

ProgressBar::ProgressBar(std::string label, std::FILE* out, int interactive)
    : label_(std::move(label)), out_(out),
      interactive_(interactive < 0 ? ::isatty(fileno(out)) != 0 : interactive != 0) {}

void ProgressBar::update(const Progress& p) {
  const bool task_done = p.iteration == p.iterations;
  if (!interactive_) {
    if (task_done && p.task != last_task_) {
      std::fprintf(out_, "%s: task %lld/%lld done, loss %.4f, elapsed %s, ETA %s (evaluation %s)\n",
                   label_.c_str(), static_cast<long long>(p.task + 1),
                   static_cast<long long>(p.num_tasks), p.loss,
                   format_duration(p.elapsed_s).c_str(), format_duration(p.eta_s).c_str(),
                   format_duration(p.eval_eta_s).c_str());
      std::fflush(out_);
      last_task_ = p.task;
    }
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!task_done && now - last_draw_ < std::chrono::milliseconds(100))
    return;
  last_draw_ = now;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * p.iteration / std::max<int64_t>(1, p.iterations));
  std::string bar(static_cast<size_t>(filled), '=');
  bar.resize(kWidth, ' ');
  std::fprintf(out_, "\r\033[K%s  task %lld/%lld [%s] it %lld/%lld  loss %.4f  ETA %s (eval %s)",
               label_.c_str(), static_cast<long long>(p.task + 1),
               static_cast<long long>(p.num_tasks), bar.c_str(),
               static_cast<long long>(p.iteration), static_cast<long long>(p.iterations), p.loss,
               format_duration(p.eta_s).c_str(), format_duration(p.eval_eta_s).c_str());
  std::fflush(out_);
}

void ProgressBar::finish() {
  if (interactive_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
  }
}

} // namespace engram::train
