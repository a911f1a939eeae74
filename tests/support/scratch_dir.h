#pragma once
// A fresh, empty directory for a test: <temp>/engram_<name>_<pid>. The process id keeps tests that
// CTest runs in parallel (one process each) out of each other's files.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace engram::testing {

inline std::filesystem::path scratch_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("engram_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

} // namespace engram::testing
