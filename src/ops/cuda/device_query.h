#pragma once
// Host-side entry points of src/ops/cuda/device_query.cu. Plain C++ types only, so the .cu file
// needs no ATen header and compiles with any nvcc close to LibTorch's.

#include <string>
#include <vector>

namespace engram::cuda {

struct DeviceProperties {
  std::string name;
  int major = 0;
  int minor = 0;
  std::size_t total_memory = 0;
  int multiprocessors = 0;
};

// Properties of every visible device; empty when there is no driver or no GPU.
std::vector<DeviceProperties> query_devices();

// Launches a one-block kernel on `device` that writes a known value and reads it back.
// Returns "ok" or the CUDA error string.
std::string probe_kernel_launch(int device);

} // namespace engram::cuda
