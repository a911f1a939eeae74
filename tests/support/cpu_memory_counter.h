#pragma once
// Test and benchmark utility (not part of the library). Counts the bytes LibTorch allocates on the
// CPU: a wrapper around the default CPU allocator that tracks live and peak bytes. Used by the
// memory tests and benchmarks of the plastic ops. Installing it affects tensors allocated
// afterwards only; it stays installed for the process.
#include <cstdint>

namespace engram::testing {

class CpuMemoryCounter {
public:
  // Installs the counting allocator (idempotent, thread-safe).
  static void install();
  // Bytes of live CPU tensor storage allocated since install().
  static int64_t live_bytes();
  // Highest live_bytes() since the last reset_peak().
  static int64_t peak_bytes();
  static void reset_peak();
};

} // namespace engram::testing
