#include <engram/cli/process_pool.h>

#include <c10/util/Exception.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

namespace engram::cli {

namespace {
std::string duration(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

pid_t start_child(const ChildJob& job) {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  TORCH_CHECK(pid >= 0, "--jobs: fork failed: ", std::strerror(errno));
  if (pid > 0)
    return pid;
  // Child: dies with the parent; output to its log.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent)
    ::_exit(127);
  const int fd = ::open(job.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  std::vector<char*> argv;
  for (const auto& a : job.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  std::fprintf(stderr, "engram: cannot run %s: %s\n", argv[0], std::strerror(errno));
  ::_exit(127);
}
} // namespace

std::vector<int> run_child_jobs(const std::vector<ChildJob>& jobs, int parallel,
                                const std::function<void(size_t, int)>& on_exit, bool quiet) {
  TORCH_CHECK(parallel >= 1, "--jobs: expected an integer >= 1, got ", parallel);
  std::vector<int> status(jobs.size(), -1);
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto line = [&](const std::string& event) {
    if (quiet)
      return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "[cells " << done << "/" << jobs.size() << " done, " << running.size()
              << " running, " << duration(elapsed) << " elapsed";
    if (done > 0 && done < jobs.size()) {
      // Cells finish `parallel` at a time: the rest takes about (rest / parallel) mean cells.
      const double per_cell = elapsed *
                              static_cast<double>(std::min<size_t>(parallel, jobs.size())) /
                              static_cast<double>(done);
      const double rest = static_cast<double>(jobs.size() - done);
      std::cerr << ", ETA " << duration(per_cell * rest / parallel);
    }
    std::cerr << "] " << event << "\n";
  };
  while (done < jobs.size()) {
    while (next < jobs.size() && running.size() < static_cast<size_t>(parallel)) {
      running[start_child(jobs[next])] = next;
      line("started " + jobs[next].label);
      ++next;
    }
    int ws = 0;
    const pid_t pid = ::waitpid(-1, &ws, 0);
    if (pid < 0) {
      TORCH_CHECK(errno == EINTR, "--jobs: waitpid failed: ", std::strerror(errno));
      continue;
    }
    auto it = running.find(pid);
    if (it == running.end())
      continue;
    const size_t i = it->second;
    running.erase(it);
    status[i] = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    ++done;
    line((status[i] == 0
              ? "finished "
              : "FAILED (exit " + std::to_string(status[i]) + ", log " + jobs[i].log_path + ") ") +
         jobs[i].label);
    if (on_exit)
      on_exit(i, status[i]);
  }
  return status;
}

} // namespace engram::cli
