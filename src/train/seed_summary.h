#pragma once
// Aggregation of a study over seeds: runs that differ only in their seed (same scenario, strategy
// and model) form one cell, summarised by the mean, the sample standard deviation and the standard
// error of the mean of each metric, and the element-wise mean and standard deviation of the
// accuracy matrices. Only complete runs enter the statistics.

#include <engram/cl/metrics.h>

#include <cstdint>
#include <string>
#include <vector>

namespace engram::train {

// Mean, sample standard deviation (n - 1) and SEM (sd / sqrt(n)) of n values; sd and sem are NaN
// for n < 2 and everything is NaN for n = 0. NaN inputs are left out (n counts the others).
struct SeedStats {
  int64_t n = 0;
  double mean = 0;
  double sd = 0;
  double sem = 0;
};
SeedStats seed_stats(const std::vector<double>& values);

// One run as the aggregation needs it (from a RunRecord or from a results file).
struct SeedRun {
  std::string scenario;
  std::string strategy;
  std::string preset;
  uint64_t seed = 0;
  std::string status = "ok"; // ok | partial | skipped
  std::string note;
  int64_t num_tasks = 0;
  cl::AccuracyMatrix accuracy;  // rows of the completed tasks
  cl::ContinualMetrics metrics; // meaningful when status is ok
  double total_seconds = 0;
  double peak_rss_mb = 0;
};

struct CellSummary {
  std::string scenario;
  std::string strategy;
  std::string preset;
  std::vector<uint64_t> seeds;    // every seed of the cell, in the order met
  std::vector<uint64_t> complete; // the seeds whose run is complete (status ok)
  std::string status = "ok";      // ok: >= 1 complete run; skipped: every run skipped; else partial
  std::string note;               // why skipped
  SeedStats acc, bwt, fwt, forgetting, seconds, peak_rss_mb;
  SeedStats forgetting_avalanche, avg_incremental_acc;
  cl::AccuracyMatrix accuracy_mean; // element-wise over the complete runs (empty when none)
  cl::AccuracyMatrix accuracy_sd;
};

// Groups `runs` by (scenario, strategy, preset) in the order the groups first appear.
std::vector<CellSummary> summarize_seeds(const std::vector<SeedRun>& runs);

// "0", "0-4", "0,3,7", "0-2,5" (ranges inclusive, values in [0, 2^64 - 1], no repeats): the seeds
// in the order given. Throws naming the flag and the value.
std::vector<uint64_t> parse_seed_list(const std::string& text, const std::string& flag = "--seeds");
// The seeds as the user wrote them, compactly: "0-4", "0,3,7".
std::string format_seed_list(const std::vector<uint64_t>& seeds);

// The table of a study: one row per cell, ACC / BWT / FWT / forgetting as mean ± sd (percent and
// percentage points), mean time and the number of complete seeds; the first line says what the
// columns show.
std::string format_seed_table(const std::vector<CellSummary>& cells);

} // namespace engram::train
