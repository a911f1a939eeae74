#include <engram/cli/child_process.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace engram::cli {

namespace {
std::string last_line(const std::string& text) {
  size_t end = text.size();
  while (end > 0) {
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
      --end;
    const size_t begin = text.rfind('\n', end == 0 ? 0 : end - 1);
    const size_t from = begin == std::string::npos ? 0 : begin + 1;
    if (end > from)
      return text.substr(from, end - from);
    end = from;
  }
  return "";
}
} // namespace

ChildResult run_child(const std::vector<std::string>& argv, double timeout_s) {
  ChildResult result;
  if (argv.empty())
    return result;
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    return result;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return result;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) // engram died before prctl took effect
      ::_exit(127);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0)
      ::dup2(null_in, STDIN_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    const char* msg = "cannot execute the program\n";
    (void)!::write(STDERR_FILENO, msg, std::strlen(msg));
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  result.started = true;
  std::string captured;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  bool open = true;
  while (open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{err_pipe[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR)
      break;
    if (ready > 0) {
      char buf[4096];
      const ssize_t n = ::read(err_pipe[0], buf, sizeof(buf));
      if (n <= 0) {
        open = false;
      } else {
        captured.append(buf, static_cast<size_t>(n));
        if (captured.size() > (1u << 16)) // keep the tail only
          captured.erase(0, captured.size() - (1u << 15));
      }
    }
  }
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    result.signal = WTERMSIG(status);
  result.last_error_line = last_line(captured);
  return result;
}

std::string describe(const ChildResult& r) {
  if (!r.started)
    return "could not be started";
  std::string text;
  if (r.timed_out)
    text = "timed out and was killed";
  else if (r.signal != 0)
    text = "was killed by signal " + std::to_string(r.signal);
  else
    text = "exited with status " + std::to_string(r.exit_code);
  if (!r.last_error_line.empty())
    text += ": " + r.last_error_line;
  return text;
}

} // namespace engram::cli
