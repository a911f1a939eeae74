#pragma once
// The --device option of the examples that train, as `engram run` takes it (cpu | cuda | cuda:N |
// auto; engram/train/device.h): an unknown or unreachable device ends the program with the
// library's one-line error.
#include <engram/train/device.h>

#include <CLI/App.hpp>
#include <c10/util/Exception.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace engram::examples {

inline void add_device_option(CLI::App& app, std::string& device) {
  app.add_option("--device", device, "cpu | cuda | cuda:N | auto (cuda when one is visible)")
      ->capture_default_str();
}

// The parsed device; on an error, prints it and exits with status 2.
inline c10::Device device_or_exit(const std::string& name) {
  try {
    return train::parse_device(name);
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what_without_backtrace());
    std::exit(2);
  }
}

} // namespace engram::examples
