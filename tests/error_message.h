#pragma once
// The message of the c10::Error that f() throws, without the backtrace, for asserting that bad
// input names the argument, the expected and the actual value; "no error" if nothing is thrown.

#include <c10/util/Exception.h>

#include <string>

namespace engram::testing {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  }
  return "no error";
}

} // namespace engram::testing
