// The suite runs beside others (ctest -j2 on two cores): one intra-op thread per process avoids
// OpenMP threads spinning against each other, which made small training loops 50x slower.
#include <ATen/Parallel.h>

namespace {
const bool kSingleThreaded = [] {
  at::set_num_threads(1);
  return true;
}();
} // namespace
