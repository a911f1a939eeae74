#include <engram/cl/strategy_option.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace engram::cl {

std::string to_string(OptionKind kind) {
  switch (kind) {
  case OptionKind::kInteger:
    return "integer";
  case OptionKind::kChoice:
    return "choice";
  case OptionKind::kNumber:
    break;
  }
  return "number";
}

OptionRange::OptionRange(double lo, bool lo_open, double hi, bool hi_open)
    : lo_(lo), hi_(hi), lo_open_(lo_open), hi_open_(hi_open) {}

OptionRange OptionRange::any() {
  const double inf = std::numeric_limits<double>::infinity();
  return OptionRange(-inf, true, inf, true);
}
OptionRange OptionRange::at_least(double lo) {
  return OptionRange(lo, false, std::numeric_limits<double>::infinity(), true);
}
OptionRange OptionRange::greater_than(double lo) {
  return OptionRange(lo, true, std::numeric_limits<double>::infinity(), true);
}
OptionRange OptionRange::closed(double lo, double hi) {
  return OptionRange(lo, false, hi, false);
}
OptionRange OptionRange::half_open(double lo, double hi) {
  return OptionRange(lo, false, hi, true);
}

bool OptionRange::contains(double v) const {
  if (!std::isfinite(v))
    return false;
  const bool above = lo_open_ ? v > lo_ : v >= lo_;
  const bool below = hi_open_ ? v < hi_ : v <= hi_;
  return above && below;
}

std::string OptionRange::to_string() const {
  const bool has_lo = std::isfinite(lo_), has_hi = std::isfinite(hi_);
  if (has_lo && has_hi)
    return std::string("in ") + (lo_open_ ? "(" : "[") + format_number(lo_) + ", " +
           format_number(hi_) + (hi_open_ ? ")" : "]");
  if (has_lo)
    return (lo_open_ ? "> " : ">= ") + format_number(lo_);
  if (has_hi)
    return (hi_open_ ? "< " : "<= ") + format_number(hi_);
  return "finite";
}

double OptionRange::outside() const {
  if (std::isfinite(lo_))
    return lo_open_ ? lo_ : lo_ - 1;
  if (std::isfinite(hi_))
    return hi_open_ ? hi_ : hi_ + 1;
  return std::numeric_limits<double>::infinity();
}

std::string OptionValue::to_string() const {
  if (kind == OptionKind::kChoice && value >= 0 && value < static_cast<double>(choices.size()) &&
      value == std::trunc(value))
    return choices[static_cast<size_t>(value)];
  return format_number(value);
}

std::string format_number(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  char buf[32];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  return buf;
}

} // namespace engram::cl
