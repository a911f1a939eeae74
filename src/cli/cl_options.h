#pragma once
// Options shared by `engram run` and `engram compare`, and helpers to locate files installed or
// checked out beside the executable.

#include <CLI/Error.hpp>
#include <CLI/Validators.hpp>

namespace CLI {
class App;
}

#include <cstdint>
#include <string>
#include <vector>

namespace engram::cli {

// Declared ranges of the numeric flags, checked when the command line is parsed (before any data
// is read): a value outside them is a one-line error naming the flag, the range and the value as
// given, e.g. "--iterations: expected an integer in [1, 1000000000], got '-5'".
constexpr int64_t kMaxIterations = 1000000000;
constexpr int64_t kMaxBatchSize = 1 << 24;
constexpr int64_t kMaxTasks = 100000;
constexpr int64_t kMaxThreads = 4096;

// An integer in [lo, hi] (no wrapping, no clamping, no fraction).
CLI::Validator integer_in(int64_t lo, int64_t hi);
// An integer in [0, 2^64 - 1] (a negative value is refused, not wrapped).
CLI::Validator unsigned_integer();
// A finite number > 0 (nan and inf are refused).
CLI::Validator finite_positive();
// A finite number in [lo, hi].
CLI::Validator number_in(double lo, double hi);

// Output paths are checked before anything runs, so that a run never trains for hours and then
// fails to write: `path` must name a file (not empty, not a directory) in a directory that exists
// or can be created, and that accepts a new file (probed). Creates the missing directories, which
// the run writes into anyway. Errors name the flag and the path (c10::Error).
void check_output_file(const char* flag, const std::string& path);
// The same for a directory that a command fills (`compare --out-dir`).
void check_output_dir(const char* flag, const std::string& path);
// Two output flags must name different files: "--out and --checkpoint name the same file 'x'".
void check_distinct_outputs(const char* flag_a, const std::string& a, const char* flag_b,
                            const std::string& b);

// --device and --deterministic, as `engram run`, `engram compare` and the examples take them.
struct DeviceOptions {
  std::string device = "cpu"; // cpu | cuda | cuda:N | auto (engram/train/device.h)
  bool deterministic = false;
};
// Adds both flags to `cmd`.
void add_device_options(CLI::App& cmd, DeviceOptions& options);
// Checks the device (an unknown or unreachable one is a one-line error naming what was asked and
// what is available) and applies --deterministic; call it before anything runs on a device.
void apply_device_options(const DeviceOptions& options);

// --eval-every N and --eval-tasks all|seen: how much of the T x T accuracy matrix is evaluated
// (its cost grows as T^2; cells not evaluated are n/a, and so are the metrics that need them).
void add_evaluation_options(CLI::App& cmd, int64_t& eval_every, std::string& eval_tasks);

// --stream continual|iid: `iid` trains on one task holding every class of the benchmark's dataset
// (the benchmark iid-<dataset>: i.i.d. training); `continual` keeps the benchmark's stream.
void add_stream_option(CLI::App& cmd, std::string& stream);
// The benchmark that `stream` asks for: "split-fmnist" with "iid" is "iid-fmnist".
std::string benchmark_for_stream(const std::string& benchmark, const std::string& stream);
// --batch-manhattan: every gradient replaced by its sign before the optimizer step (Liao et al.
// 2016); with the preset's training.batch_manhattan, either turns it on.
void add_batch_manhattan_option(CLI::App& cmd, bool& batch_manhattan);
// --eval-during N: the accuracy on the tasks trained so far every N iterations (0: off), in RUN's
// `eval_during` (docs/results-schema.md).
void add_eval_during_option(CLI::App& cmd, int64_t& eval_during);
// --pad N: images padded to N x N pixels before the stream is built (0: none), in [0, 1024].
void add_pad_option(CLI::App& cmd, int64_t& pad);

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
