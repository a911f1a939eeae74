#pragma once
// What the strategy registry knows of an option: its kind (integer, number or choice), the range of
// values it accepts, and its value. A choice option is one of a list of names (a strategy's named
// variants, e.g. LwF's `variant`); its value is the index of the name in that list. Strategies hold
// their options in typed structs (EwcOptions, ...); these types are the registry's view of them,
// for checking, help texts and records.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace engram::cl {

enum class OptionKind { kInteger, kNumber, kChoice };

// Upper ends of the integer options' ranges: sizes beyond these are typing errors, not studies.
constexpr double kMaxBufferSize = 1e7;     // stored examples (replay buffers, A-GEM memory)
constexpr double kMaxBatchSize = 16777216; // examples per batch (2^24, as --batch-size)
constexpr double kMaxSamples = 1e7;        // examples a statistic is estimated from (Fisher)
constexpr double kMaxTaskCount = 1e5;      // tasks (as --tasks)

// "integer", "number" or "choice".
std::string to_string(OptionKind kind);

// The values an option accepts: finite numbers in an interval whose ends are each closed, open
// or absent.
class OptionRange {
public:
  static OptionRange any();                           // every finite number
  static OptionRange at_least(double lo);             // >= lo
  static OptionRange greater_than(double lo);         // > lo
  static OptionRange closed(double lo, double hi);    // [lo, hi]
  static OptionRange half_open(double lo, double hi); // [lo, hi)

  // False for NaN and infinities too.
  bool contains(double value) const;
  // ">= 0", "> 0", "in [0, 1]", "in [0, 1)", "finite".
  std::string to_string() const;
  // A finite value outside the range (or a non-finite one when every finite value is inside), for
  // tests of the range check.
  double outside() const;

private:
  OptionRange(double lo, bool lo_open, double hi, bool hi_open);
  double lo_, hi_;
  bool lo_open_, hi_open_;
};

// An option's value; an integer option's is a whole number, a choice option's the index of its
// name in `choices`.
struct OptionValue {
  OptionKind kind = OptionKind::kNumber;
  double value = 0;
  std::vector<std::string> choices; // a choice option's names (empty for the other kinds)
  // "500", "0.1"; a choice option's name: "vandeven".
  std::string to_string() const;
};

// The options a strategy was made with, by name.
using OptionValues = std::map<std::string, OptionValue>;
// Option values as a preset or --hp gives them, before the registry has checked them.
using OptionOverrides = std::map<std::string, double>;

// The shortest text that reads back as `value`: "0.1", "10000", "1e-06", "inf".
std::string format_number(double value);

} // namespace engram::cl
