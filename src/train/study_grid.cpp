#include <engram/train/study_grid.h>

#include <c10/util/Exception.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace engram::train {

namespace {
bool parse_int(const std::string& text, int64_t& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  out = std::strtoll(text.c_str(), nullptr, 10);
  return errno != ERANGE;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, sep))
    out.push_back(item);
  if (!text.empty() && text.back() == sep)
    out.emplace_back();
  return out;
}
} // namespace

Shard parse_shard(const std::string& text, const std::string& flag) {
  const auto slash = text.find('/');
  Shard s;
  const bool ok = slash != std::string::npos && parse_int(text.substr(0, slash), s.index) &&
                  parse_int(text.substr(slash + 1), s.count) && s.count >= 1 && s.count <= 100000 &&
                  s.index < s.count;
  TORCH_CHECK(ok, flag, ": expected i/n with 0 <= i < n <= 100000 (e.g. 0/4), got '", text, "'");
  return s;
}

std::vector<size_t> shard_cells(size_t num_cells, const Shard& shard) {
  TORCH_CHECK(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count,
              "shard_cells: argument 'shard' expected i/n with 0 <= i < n, got ", shard.index, "/",
              shard.count);
  std::vector<size_t> cells;
  for (size_t c = static_cast<size_t>(shard.index); c < num_cells;
       c += static_cast<size_t>(shard.count))
    cells.push_back(c);
  return cells;
}

std::vector<HpAxis> parse_hp_grid(const std::vector<std::string>& items) {
  std::vector<HpAxis> axes;
  for (const auto& item : items) {
    const auto dot = item.find('.');
    const auto eq = item.find('=');
    TORCH_CHECK(dot != std::string::npos && dot > 0 && eq != std::string::npos && eq > dot + 1 &&
                    eq + 1 < item.size(),
                "--hp-grid: expected strategy.key=v1,v2,... (e.g. ewc.lambda=1e2,1e3), got '", item,
                "'");
    HpAxis a;
    a.strategy = item.substr(0, dot);
    a.key = item.substr(dot + 1, eq - dot - 1);
    a.values = split(item.substr(eq + 1), ',');
    for (const auto& v : a.values)
      TORCH_CHECK(!v.empty(), "--hp-grid: empty value in '", item, "'");
    for (size_t i = 0; i < a.values.size(); ++i)
      TORCH_CHECK(std::find(a.values.begin(), a.values.begin() + static_cast<long>(i),
                            a.values[i]) == a.values.begin() + static_cast<long>(i),
                  "--hp-grid: value '", a.values[i], "' given twice in '", item, "'");
    for (const auto& b : axes)
      TORCH_CHECK(b.strategy != a.strategy || b.key != a.key, "--hp-grid: ", a.strategy, ".", a.key,
                  " given twice");
    axes.push_back(a);
  }
  return axes;
}

std::vector<std::map<std::string, std::string>> hp_settings(const std::vector<HpAxis>& axes,
                                                            const std::string& strategy) {
  std::vector<std::map<std::string, std::string>> settings{{}};
  for (const auto& a : axes) {
    if (a.strategy != strategy)
      continue;
    std::vector<std::map<std::string, std::string>> next;
    for (const auto& s : settings)
      for (const auto& v : a.values) {
        auto t = s;
        t[a.key] = v;
        next.push_back(t);
      }
    settings = next;
  }
  return settings;
}

std::string format_hp_setting(const std::map<std::string, std::string>& setting) {
  std::string out;
  for (const auto& kv : setting)
    out += (out.empty() ? "" : ",") + kv.first + "=" + kv.second;
  return out;
}

std::string fingerprint_hex(const std::string& text) {
  uint64_t h = 14695981039346656037ULL; // FNV offset basis
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

} // namespace engram::train
