#pragma once
// Reading a preset layer's options with their declared ranges: a value outside its range is an
// error naming the JSON path, the range and the value.

#include <engram/models/layer_registry.h>
#include <engram/models/network.h>
#include <engram/models/preset.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace engram::models::detail {

// The integer `key` (or `fallback` when absent), >= `lo`.
inline int64_t integer_at_least(const LayerSpec& s, const char* key, int64_t fallback, int64_t lo) {
  auto it = s.numbers.find(key);
  const int64_t v = it == s.numbers.end() ? fallback : static_cast<int64_t>(it->second);
  TORCH_CHECK(v >= lo, s.path, ".", key, ": expected an integer >= ", lo, ", got ", v);
  return v;
}

// The number `key` (or `fallback`) in [lo, hi].
inline double number_in(const LayerSpec& s, const char* key, double fallback, double lo,
                        double hi) {
  auto it = s.numbers.find(key);
  const double v = it == s.numbers.end() ? fallback : it->second;
  TORCH_CHECK(std::isfinite(v) && v >= lo && v <= hi, s.path, ".", key, ": expected a number in [",
              lo, ", ", hi, "], got ", v);
  return v;
}

// The number `key` (or `fallback`) in [lo, hi).
inline double number_in_half_open(const LayerSpec& s, const char* key, double fallback, double lo,
                                  double hi) {
  auto it = s.numbers.find(key);
  const double v = it == s.numbers.end() ? fallback : it->second;
  TORCH_CHECK(std::isfinite(v) && v >= lo && v < hi, s.path, ".", key, ": expected a number in [",
              lo, ", ", hi, "), got ", v);
  return v;
}

// The number `key` (or `fallback`) > 0.
inline double positive_number(const LayerSpec& s, const char* key, double fallback) {
  auto it = s.numbers.find(key);
  const double v = it == s.numbers.end() ? fallback : it->second;
  TORCH_CHECK(std::isfinite(v) && v > 0, s.path, ".", key, ": expected a number > 0, got ", v);
  return v;
}

inline bool flag_or(const LayerSpec& s, const char* key, bool fallback) {
  auto it = s.flags.find(key);
  return it == s.flags.end() ? fallback : it->second;
}

// The layer takes images [C, H, W].
inline void expect_image_input(const LayerSpec& s, const Shape& in) {
  TORCH_CHECK(in.size() == 3, layer_label(s), ": expected an input [C, H, W], got ",
              shape_string(in));
}

} // namespace engram::models::detail
