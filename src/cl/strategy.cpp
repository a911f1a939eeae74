#include <engram/cl/strategy.h>

#include <ATen/ATen.h>

namespace engram::cl {

Batch concat_batches(const Batch& a, const Batch& b) {
  if (!b.x.defined() || b.size() == 0)
    return a;
  if (!a.x.defined() || a.size() == 0)
    return b;
  return Batch{at::cat({a.x, b.x}), at::cat({a.y, b.y}), at::cat({a.task, b.task})};
}

} // namespace engram::cl
