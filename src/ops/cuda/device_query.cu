#include <engram/ops/cuda/device_query.h>

#include <cuda_runtime.h>

namespace engram::cuda {
namespace {

__global__ void write_iota(int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    out[i] = i * 3 + 1;
  }
}

} // namespace

std::vector<DeviceProperties> query_devices() {
  std::vector<DeviceProperties> result;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError(); // clear the sticky "no device" error
    return result;
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) {
      continue;
    }
    result.push_back(
        {prop.name, prop.major, prop.minor, prop.totalGlobalMem, prop.multiProcessorCount});
  }
  return result;
}

std::string probe_kernel_launch(int device) {
  constexpr int n = 64;
  if (cudaSetDevice(device) != cudaSuccess) {
    return cudaGetErrorString(cudaGetLastError());
  }
  int* buffer = nullptr;
  cudaError_t err = cudaMalloc(&buffer, n * sizeof(int));
  if (err != cudaSuccess) {
    return cudaGetErrorString(err);
  }
  write_iota<<<1, n>>>(buffer, n);
  err = cudaGetLastError();
  int host[n] = {};
  if (err == cudaSuccess) {
    err = cudaMemcpy(host, buffer, sizeof(host), cudaMemcpyDeviceToHost);
  }
  cudaFree(buffer);
  if (err != cudaSuccess) {
    return cudaGetErrorString(err);
  }
  for (int i = 0; i < n; ++i) {
    if (host[i] != i * 3 + 1) {
      return "kernel ran but wrote wrong values";
    }
  }
  return "ok";
}

} // namespace engram::cuda
