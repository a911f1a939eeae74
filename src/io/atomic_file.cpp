#include <engram/io/atomic_file.h>

#include <c10/util/Exception.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace engram::io {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0')
    return "localhost";
  std::string h(buf);
  for (char& c : h) // a host name never adds a path separator or a dot-separated field
    if (c == '/' || c == '.')
      c = '_';
  return h;
}

// A test hook's integer from the environment: `unset` when absent or empty, else an integer
// >= `lo` (anything else is a one-line error naming the variable).
int64_t test_hook_integer(const char* name, int64_t lo, int64_t unset) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return unset;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v, &end, 10);
  TORCH_CHECK(errno == 0 && end != v && *end == '\0' && n >= lo, name,
              ": expected an integer >= ", lo, ", got '", v, "'");
  return static_cast<int64_t>(n);
}

// ENGRAM_IO_FAIL_AFTER_BYTES: the test hook that simulates a full disk (see the header).
int64_t fail_after_bytes() {
  static const int64_t limit =
      test_hook_integer("ENGRAM_IO_FAIL_AFTER_BYTES", 0, std::numeric_limits<int64_t>::max());
  return limit;
}

// ENGRAM_IO_KILL_AT_WRITE: the test hook that kills the process in the middle of its N-th write
// (0: never).
int64_t kill_at_write() {
  static const int64_t n = test_hook_integer("ENGRAM_IO_KILL_AT_WRITE", 1, 0);
  return n;
}

std::atomic<int64_t>& writes_started() {
  static std::atomic<int64_t> n{0};
  return n;
}

std::atomic<int64_t>& bytes_written() {
  static std::atomic<int64_t> n{0};
  return n;
}

// write(2) until done; false with errno set on failure (ENOSPC from the test hook too).
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    size_t chunk = size;
    const int64_t left = fail_after_bytes() - bytes_written().load();
    if (left <= 0) {
      errno = ENOSPC;
      return false;
    }
    if (static_cast<int64_t>(chunk) > left)
      chunk = static_cast<size_t>(left);
    const ssize_t n = ::write(fd, data, chunk);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes_written() += n;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string error_text(int err) {
  return err == 0 ? std::string("unknown error") : std::string(std::strerror(err));
}

void ensure_parent(const std::string& path) {
  const auto parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    TORCH_CHECK(!ec, "cannot write '", path, "': cannot create directory '", parent.string(),
                "': ", ec.message());
  }
}

// fsync of the directory that holds `path`, so that a rename into it is durable.
bool sync_parent_directory(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty())
    dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  const bool ok = ::fsync(fd) == 0 || errno == EINVAL; // some file systems cannot sync a directory
  ::close(fd);
  return ok;
}

// Opens, fsyncs and closes a file that another writer produced.
bool sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  const bool ok = ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

// Renames `tmp` over `path` and syncs the directory; removes `tmp` and throws on failure.
void commit(const std::string& tmp, const std::string& path) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    TORCH_CHECK(false, "cannot write '", path,
                "': cannot rename the temporary file into place: ", error_text(err));
  }
  TORCH_CHECK(sync_parent_directory(path), "cannot write '", path,
              "': cannot sync its directory: ", error_text(errno));
}

} // namespace

std::string temporary_path_for(const std::string& path) {
  static const std::string host = host_name();
  return path + ".tmp." + host + "." + std::to_string(::getpid());
}

int remove_stale_temporaries(const std::string& path) {
  static const std::string host = host_name();
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".tmp." + host + ".";
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
      continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9)
      continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
      continue; // ours, or a live process's (or one we may not signal): not stale
    std::error_code rm;
    if (fs::remove(it->path(), rm))
      ++removed;
  }
  return removed;
}

void write_atomically_via(const std::string& path,
                          const std::function<void(const std::string&)>& write) {
  TORCH_CHECK(!path.empty(), "cannot write a file with an empty name");
  ensure_parent(path);
  remove_stale_temporaries(path);
  const std::string tmp = temporary_path_for(path);
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (!sync_file(tmp)) {
    const int err = errno;
    std::remove(tmp.c_str());
    TORCH_CHECK(false, "cannot write '", path, "': ", error_text(err));
  }
  commit(tmp, path);
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  TORCH_CHECK(!path.empty(), "cannot write a file with an empty name");
  ensure_parent(path);
  remove_stale_temporaries(path);
  const std::string tmp = temporary_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  TORCH_CHECK(fd >= 0, "cannot write '", path, "': ", error_text(errno));
  if (++writes_started() == kill_at_write()) { // test hook: die with half the file written
    (void)write_all(fd, contents.data(), contents.size() / 2);
    ::fsync(fd);
    ::raise(SIGKILL);
  }
  bool ok = write_all(fd, contents.data(), contents.size());
  int err = errno;
  if (ok && ::fsync(fd) != 0) {
    ok = false;
    err = errno;
  }
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    TORCH_CHECK(false, "cannot write '", path, "': ", error_text(err));
  }
  commit(tmp, path);
}

std::string read_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  TORCH_CHECK(fd >= 0, what, " '", path, "': cannot open: ", error_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    TORCH_CHECK(false, what, " '", path, "': not a readable file");
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      TORCH_CHECK(false, what, " '", path, "': cannot read: ", error_text(err));
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

} // namespace engram::io
