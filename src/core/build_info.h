#pragma once
// What this copy of engram was built with and what it can see at run time.

#include <string>
#include <vector>

namespace engram {

struct DeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  double memory_gib = 0.0;
};

struct BuildInfo {
  std::string engram_version;
  std::string torch_version;      // LibTorch engram was compiled against
  std::string torch_cuda_version; // CUDA version LibTorch was built with ("none" if CPU-only)
  std::string nvcc_version;       // nvcc that compiled engram's kernels ("none" if off)
  std::string cuda_arch_list;
  bool cuda_kernels_compiled = false;
  bool cuda_available = false; // LibTorch sees a usable GPU
  std::string kernel_probe;    // result of launching an engram kernel ("not run" without GPU)
  std::vector<DeviceInfo> devices;
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  std::string build_type;
  std::string compiler;
  std::string parallel_info;
};

// Gathers build-time constants and queries the runtime (devices, threads).
BuildInfo build_info();

// Human-readable multi-line report used by `engram info`.
std::string format_build_info(const BuildInfo& info);

} // namespace engram
