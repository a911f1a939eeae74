#pragma once
// Assertions that bad input is refused with a message naming the argument, the expected and the
// actual value. One helper for every test area.

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace engram::testing {

// The message of the c10::Error that f() throws, without the backtrace; "no error" if nothing is
// thrown.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "no error";
}

// f() throws a c10::Error whose message contains every one of `parts`.
inline void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  const std::string msg = error_of(f);
  EXPECT_NE(msg, "no error") << "no error thrown";
  for (const auto& part : parts) {
    EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
  }
}

} // namespace engram::testing

// EXPECT_ERROR_MENTIONS(statement, text): the statement throws c10::Error whose message contains
// `text` (the argument or option it names).
#define EXPECT_ERROR_MENTIONS(statement, text)                                                     \
  do {                                                                                             \
    const std::string message_ = ::engram::testing::error_of([&] { statement; });                  \
    EXPECT_NE(message_, "no error") << #statement " did not throw";                                \
    EXPECT_NE(message_.find(text), std::string::npos)                                              \
        << "message does not mention '" << (text) << "':\n"                                        \
        << message_;                                                                               \
  } while (false)
