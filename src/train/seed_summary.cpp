#include <engram/train/seed_summary.h>

#include <c10/util/Exception.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace engram::train {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Element-wise mean and sd of equally shaped matrices.
void matrix_stats(const std::vector<const cl::AccuracyMatrix*>& ms, cl::AccuracyMatrix& mean,
                  cl::AccuracyMatrix& sd) {
  mean.clear();
  sd.clear();
  if (ms.empty())
    return;
  const auto& first = *ms.front();
  for (const auto* m : ms) {
    TORCH_CHECK(m->size() == first.size(),
                "summarize_seeds: accuracy matrices of one cell differ "
                "in shape: ",
                m->size(), " rows against ", first.size());
    for (size_t i = 0; i < first.size(); ++i)
      TORCH_CHECK((*m)[i].size() == first[i].size(),
                  "summarize_seeds: accuracy matrices of one cell differ in shape (row ", i, ": ",
                  (*m)[i].size(), " columns against ", first[i].size(), ")");
  }
  mean = first;
  sd = first;
  for (size_t i = 0; i < first.size(); ++i)
    for (size_t j = 0; j < first[i].size(); ++j) {
      std::vector<double> v;
      for (const auto* m : ms)
        v.push_back((*m)[i][j]);
      const SeedStats s = seed_stats(v);
      mean[i][j] = s.mean;
      sd[i][j] = s.sd;
    }
}

uint64_t parse_seed(const std::string& part, const std::string& flag, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(part.c_str(), &end, 10);
  TORCH_CHECK(!part.empty() && end == part.c_str() + part.size() && errno != ERANGE &&
                  part.find_first_not_of("0123456789") == std::string::npos,
              flag,
              ": expected seeds like 0-4 or 0,3,7 (integers in [0, 18446744073709551615]), "
              "got '",
              text, "'");
  return v;
}

// "mean±sd" in a fixed width: `width` for the mean (then `suffix`), 7 for " ± sd" (blank for
// fewer than two values).
std::string pm(const SeedStats& s, int width, const char* suffix = "") {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2);
  if (s.n == 0)
    o << std::setw(width) << "-" << suffix << std::setw(7) << "";
  else if (std::isnan(s.mean)) // a metric that needs cells that were not evaluated
    o << std::setw(width) << "n/a" << std::string(std::string(suffix).size(), ' ') << std::setw(7)
      << "";
  else if (s.n < 2)
    o << std::setw(width) << 100 * s.mean << suffix << std::setw(7) << "";
  else
    o << std::setw(width) << 100 * s.mean << suffix << " ±" << std::setw(5) << 100 * s.sd;
  return o.str();
}

// `text` right-aligned in `width` columns (counting "±" as one column, not two bytes).
std::string right(const std::string& text, int width) {
  int cols = 0;
  for (unsigned char ch : text)
    cols += (ch & 0xC0) != 0x80;
  return std::string(static_cast<size_t>(std::max(0, width - cols)), ' ') + text;
}
} // namespace

SeedStats seed_stats(const std::vector<double>& values) {
  SeedStats s;
  double sum = 0;
  for (double v : values)
    if (!std::isnan(v)) {
      sum += v;
      ++s.n;
    }
  if (s.n == 0)
    return {0, kNaN, kNaN, kNaN};
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) {
    s.sd = s.sem = kNaN;
    return s;
  }
  double ss = 0;
  for (double v : values)
    if (!std::isnan(v))
      ss += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(ss / static_cast<double>(s.n - 1));
  s.sem = s.sd / std::sqrt(static_cast<double>(s.n));
  return s;
}

std::vector<CellSummary> summarize_seeds(const std::vector<SeedRun>& runs) {
  std::vector<CellSummary> cells;
  std::vector<std::vector<const SeedRun*>> members;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  for (const auto& r : runs) {
    const auto key = std::make_tuple(r.scenario, r.strategy, r.preset);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, cells.size()).first;
      CellSummary c;
      c.scenario = r.scenario;
      c.strategy = r.strategy;
      c.preset = r.preset;
      cells.push_back(c);
      members.emplace_back();
    }
    members[it->second].push_back(&r);
  }
  for (size_t c = 0; c < cells.size(); ++c) {
    CellSummary& cell = cells[c];
    std::vector<double> acc, bwt, fwt, forgetting, seconds, rss;
    std::vector<double> forgetting_avalanche, avg_incremental_acc;
    std::vector<const cl::AccuracyMatrix*> matrices;
    bool all_skipped = true;
    for (const SeedRun* r : members[c]) {
      TORCH_CHECK(std::find(cell.seeds.begin(), cell.seeds.end(), r->seed) == cell.seeds.end(),
                  "summarize_seeds: seed ", r->seed, " appears twice for ", cell.scenario, "-IL ",
                  cell.strategy, " ", cell.preset);
      cell.seeds.push_back(r->seed);
      if (r->status != "skipped")
        all_skipped = false;
      else if (cell.note.empty())
        cell.note = r->note;
      if (r->status != "ok")
        continue;
      cell.complete.push_back(r->seed);
      acc.push_back(r->metrics.acc);
      bwt.push_back(r->metrics.bwt);
      fwt.push_back(r->metrics.fwt);
      forgetting.push_back(r->metrics.forgetting);
      forgetting_avalanche.push_back(r->metrics.forgetting_avalanche);
      avg_incremental_acc.push_back(r->metrics.avg_incremental_acc);
      seconds.push_back(r->total_seconds);
      rss.push_back(r->peak_rss_mb);
      matrices.push_back(&r->accuracy);
    }
    cell.status = all_skipped ? "skipped" : (cell.complete.empty() ? "partial" : "ok");
    cell.acc = seed_stats(acc);
    cell.bwt = seed_stats(bwt);
    cell.fwt = seed_stats(fwt);
    cell.forgetting = seed_stats(forgetting);
    cell.forgetting_avalanche = seed_stats(forgetting_avalanche);
    cell.avg_incremental_acc = seed_stats(avg_incremental_acc);
    cell.seconds = seed_stats(seconds);
    cell.peak_rss_mb = seed_stats(rss);
    matrix_stats(matrices, cell.accuracy_mean, cell.accuracy_sd);
  }
  return cells;
}

std::vector<uint64_t> parse_seed_list(const std::string& text, const std::string& flag) {
  std::vector<uint64_t> seeds;
  std::stringstream s(text);
  std::string part;
  while (std::getline(s, part, ',')) {
    const auto dash = part.find('-');
    uint64_t lo = 0, hi = 0;
    if (dash == std::string::npos) {
      lo = hi = parse_seed(part, flag, text);
    } else {
      lo = parse_seed(part.substr(0, dash), flag, text);
      hi = parse_seed(part.substr(dash + 1), flag, text);
      TORCH_CHECK(lo <= hi, flag, ": expected a range low-high with low <= high, got '", text, "'");
      TORCH_CHECK(hi - lo < 100000, flag, ": expected at most 100000 seeds, got '", text, "'");
    }
    for (uint64_t v = lo;; ++v) {
      TORCH_CHECK(std::find(seeds.begin(), seeds.end(), v) == seeds.end(), flag, ": seed ", v,
                  " given twice in '", text, "'");
      seeds.push_back(v);
      if (v == hi)
        break;
    }
  }
  TORCH_CHECK(!seeds.empty() && text.back() != ',', flag,
              ": expected seeds like 0-4 or 0,3,7, got '", text, "'");
  return seeds;
}

std::string format_seed_list(const std::vector<uint64_t>& seeds) {
  std::ostringstream o;
  for (size_t i = 0; i < seeds.size();) {
    size_t j = i;
    while (j + 1 < seeds.size() && seeds[j + 1] == seeds[j] + 1)
      ++j;
    if (i > 0)
      o << ",";
    o << seeds[i];
    if (j > i)
      o << (j == i + 1 ? "," : "-") << seeds[j];
    i = j + 1;
  }
  return o.str();
}

std::string format_seed_table(const std::vector<CellSummary>& cells) {
  std::ostringstream s;
  size_t max_seeds = 0;
  for (const auto& c : cells)
    max_seeds = std::max(max_seeds, c.seeds.size());
  if (max_seeds > 1)
    s << "mean ± sd over seeds (sample sd; the SEM is in results.json); n = complete seeds\n";
  s << std::left << std::setw(10) << "scenario" << std::setw(20) << "strategy" << std::setw(19)
    << "model" << right("ACC ± sd", 15) << right("BWT ± sd", 15) << right("FWT ± sd", 15)
    << right("forget ± sd", 15) << right("forgetA ± sd", 15) << right("AIA ± sd", 15) << std::right
    << std::setw(4) << "n" << std::setw(10) << "time(s)" << std::setw(10) << "peak MiB"
    << "\n";
  for (const auto& c : cells) {
    s << std::left << std::setw(10) << c.scenario << std::setw(20) << c.strategy << std::setw(19)
      << c.preset << std::right;
    if (c.status == "skipped") {
      s << "  (skipped: " << c.note << ")\n";
      continue;
    }
    if (c.complete.empty()) {
      s << "  (partial: no seed complete)\n";
      continue;
    }
    s << pm(c.acc, 7, "%") << pm(c.bwt, 8) << pm(c.fwt, 8) << pm(c.forgetting, 8)
      << pm(c.forgetting_avalanche, 8) << pm(c.avg_incremental_acc, 8) << std::setw(4) << c.acc.n
      << std::fixed << std::setprecision(1) << std::setw(10) << c.seconds.mean
      << std::setprecision(0) << std::setw(10) << c.peak_rss_mb.mean << "\n";
  }
  s << "ACC: mean final accuracy; BWT, FWT, forgetting in percentage points (BWT < 0 is "
       "forgetting); forget: Chaudhry et al.'s (max over earlier rows), forgetA: Avalanche's (just "
       "after learning); AIA: average incremental accuracy; FWT n/a in class-IL; time and memory: "
       "mean per run.\n";
  return s.str();
}

} // namespace engram::train
