#pragma once
// The pieces of a study grid that do not depend on what a cell runs: disjoint deterministic shards
// of the cell list, the hyperparameter grid of --hp-grid, and a fingerprint that tells two grids
// apart.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace engram::train {

// Part `index` (0-based) of `count` parts, as in `--shard 2/8`.
struct Shard {
  int64_t index = 0;
  int64_t count = 1;
};

// "i/n" with 0 <= i < n <= 100000 ($SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT for an array
// 0..n-1). Throws naming the flag and the value.
Shard parse_shard(const std::string& text, const std::string& flag = "--shard");

// The positions in the canonical cell order 0..num_cells-1 that `shard` runs: round robin, cell c
// belongs to shard c mod n. The shards of one n are disjoint and together are every cell.
std::vector<size_t> shard_cells(size_t num_cells, const Shard& shard);

// One axis of --hp-grid: "ewc.lambda=1e2,1e3,1e4".
struct HpAxis {
  std::string strategy;
  std::string key;
  std::vector<std::string> values; // as written, in order
};
// Parses every --hp-grid item (the same strategy.key twice is an error); values are checked by the
// strategy registry later, when the settings are used.
std::vector<HpAxis> parse_hp_grid(const std::vector<std::string>& items);

// Every setting of `strategy`'s axes (the cross product, the first axis varying slowest) as
// key -> value; one empty setting when `strategy` has no axis.
std::vector<std::map<std::string, std::string>> hp_settings(const std::vector<HpAxis>& axes,
                                                            const std::string& strategy);
// "lambda=100,fisher_samples=200" (keys in map order); "" for the empty setting.
std::string format_hp_setting(const std::map<std::string, std::string>& setting);

// 16 hex digits (FNV-1a, 64 bit) of `text`: stable across runs, machines and builds.
std::string fingerprint_hex(const std::string& text);

} // namespace engram::train
