#pragma once
// Joins a range of strings with a separator: join(std::vector<std::string>{"a", "b"}) == "a, b";
// an empty range gives "". For the "expected one of: ..." parts of error messages and help texts.

#include <string>

namespace engram {

template <typename Range>
std::string join(const Range& items, const std::string& separator = ", ") {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first)
      out += separator;
    out += item;
    first = false;
  }
  return out;
}

} // namespace engram
