#include <engram/cli/cl_options.h>

#include <engram/train/device.h>

#include <CLI/App.hpp>
#include <c10/util/Exception.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace engram::cli {

namespace {
// The whole of `text` was read (strtoll and friends stop at the first character they reject).
bool read_all(const std::string& text, const char* end) {
  return !text.empty() && end == text.c_str() + text.size();
}
} // namespace

namespace {
// `dir` exists (created if missing) and accepts a new file.
void check_writable_dir(const char* flag, const std::string& shown,
                        const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    TORCH_CHECK(!ec, flag, ": cannot create the directory '", dir.string(), "' for '", shown,
                "': ", ec.message());
  }
  const fs::path probe =
      (dir.empty() ? fs::path(".") : dir) / (".engram-write-test." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  TORCH_CHECK(fd >= 0, flag, ": cannot write into the directory '",
              (dir.empty() ? fs::path(".") : dir).string(), "' for '", shown,
              "': ", std::strerror(errno));
  ::close(fd);
  fs::remove(probe, ec);
}
} // namespace

void check_output_file(const char* flag, const std::string& path) {
  namespace fs = std::filesystem;
  TORCH_CHECK(!path.empty(), flag, ": expected a file path, got ''");
  std::error_code ec;
  TORCH_CHECK(path.back() != '/' && !fs::is_directory(path, ec), flag,
              ": expected a file path, got the directory '", path, "'");
  check_writable_dir(flag, path, fs::path(path).parent_path());
}

void check_output_dir(const char* flag, const std::string& path) {
  namespace fs = std::filesystem;
  TORCH_CHECK(!path.empty(), flag, ": expected a directory, got ''");
  std::error_code ec;
  TORCH_CHECK(!fs::exists(path, ec) || fs::is_directory(path, ec), flag,
              ": expected a directory, got the file '", path, "'");
  check_writable_dir(flag, path, fs::path(path));
}

void check_distinct_outputs(const char* flag_a, const std::string& a, const char* flag_b,
                            const std::string& b) {
  namespace fs = std::filesystem;
  // The paths as the file system resolves them; as given where it cannot resolve them.
  const auto resolved = [](const std::string& p) {
    std::error_code ec;
    const auto c = fs::weakly_canonical(p, ec);
    return ec ? fs::path(p).lexically_normal() : c;
  };
  TORCH_CHECK(resolved(a) != resolved(b), flag_a, " and ", flag_b, " name the same file '", a, "'");
}

CLI::Validator integer_in(int64_t lo, int64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (!read_all(text, end) || errno == ERANGE || v < lo || v > hi)
          return "expected an integer in " + range + ", got '" + text + "'";
        return {};
      },
      "INT in " + range);
}

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        std::strtoull(text.c_str(), &end, 10);
        if (!read_all(text, end) || errno == ERANGE || text.find('-') != std::string::npos)
          return "expected an integer in [0, 18446744073709551615], got '" + text + "'";
        return {};
      },
      "UINT");
}

CLI::Validator finite_positive() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (!read_all(text, end) || !std::isfinite(v) || v <= 0)
          return "expected a finite number > 0, got '" + text + "'";
        return {};
      },
      "NUMBER > 0");
}

void add_device_options(CLI::App& cmd, DeviceOptions& options) {
  cmd.add_option("--device", options.device,
                 "cpu | cuda | cuda:N | auto (cuda when one is visible, else cpu)")
      ->capture_default_str();
  cmd.add_flag("--deterministic", options.deterministic,
               "LibTorch's deterministic algorithms (an op without one is an error); on CUDA also "
               "cuDNN determinism and CUBLAS_WORKSPACE_CONFIG=:4096:8");
}

void apply_device_options(const DeviceOptions& options) {
  // Before anything touches CUDA (parse_device counts the devices): cuBLAS reads its workspace
  // setting when it starts.
  if (options.deterministic)
    train::set_deterministic(true);
  train::parse_device(options.device);
}

CLI::Validator number_in(double lo, double hi) {
  std::ostringstream r;
  r << "[" << lo << ", " << hi << "]";
  const std::string range = r.str();
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (!read_all(text, end) || !std::isfinite(v) || v < lo || v > hi)
          return "expected a number in " + range + ", got '" + text + "'";
        return {};
      },
      "NUMBER in " + range);
}

void add_evaluation_options(CLI::App& cmd, int64_t& eval_every, std::string& eval_tasks) {
  cmd.add_option("--eval-every", eval_every,
                 "Evaluate the accuracy matrix's row after every N-th task and the last (the "
                 "others are n/a)")
      ->check(integer_in(1, kMaxTasks))
      ->capture_default_str();
  cmd.add_option("--eval-tasks", eval_tasks,
                 "all | seen: every task, or the seen ones and the next (enough for every metric)")
      ->check(CLI::IsMember({"all", "seen"}))
      ->capture_default_str();
}

void add_eval_during_option(CLI::App& cmd, int64_t& eval_during) {
  cmd.add_option("--eval-during", eval_during,
                 "Also measure the accuracy on the tasks trained so far every N iterations while "
                 "a task trains (the stability gap; 0: off; not counted in task_seconds)")
      ->check(integer_in(0, 1000000000))
      ->capture_default_str();
}

void add_pad_option(CLI::App& cmd, int64_t& pad) {
  cmd.add_option("--pad", pad,
                 "Pad every image to N x N pixels (black, centred) before the tasks are made, e.g. "
                 "--pad 32 for van de Ven et al.'s permuted MNIST (1024 inputs); 0: none")
      ->check(integer_in(0, 1024))
      ->capture_default_str();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    if (!item.empty())
      out.push_back(item);
  }
  return out;
}

std::string executable_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

std::string locate(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::exists(path) || fs::path(path).is_absolute())
    return path;
  const fs::path exe = executable_dir();
  for (const fs::path& c : {exe / ".." / path, exe / ".." / "share" / "engram" / path}) {
    if (fs::exists(c))
      return fs::weakly_canonical(c).string();
  }
  return path;
}

void add_stream_option(CLI::App& cmd, std::string& stream) {
  cmd.add_option("--stream", stream,
                 "continual (the benchmark's tasks) | iid (one task holding every class of its "
                 "dataset: i.i.d. training)")
      ->check(CLI::IsMember({"continual", "iid"}))
      ->capture_default_str();
}

std::string benchmark_for_stream(const std::string& benchmark, const std::string& stream) {
  if (stream != "iid")
    return benchmark;
  const auto dash = benchmark.find('-');
  return "iid" + (dash == std::string::npos ? std::string() : benchmark.substr(dash));
}

void add_batch_manhattan_option(CLI::App& cmd, bool& batch_manhattan) {
  cmd.add_flag("--batch-manhattan", batch_manhattan,
               "Batch Manhattan (Liao et al. 2016): each gradient replaced by its sign before the "
               "optimizer step (true | false; default: the preset's training.batch_manhattan)");
}

} // namespace engram::cli
