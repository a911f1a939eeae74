#include <engram/config.h>
#include <engram/core/build_info.h>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <sstream>

#ifdef ENGRAM_WITH_CUDA
#include <engram/ops/cuda/device_query.h>
#endif

namespace engram {

BuildInfo build_info() {
  BuildInfo info;
  info.engram_version = ENGRAM_VERSION_STRING;
  info.torch_version = TORCH_VERSION;
  info.torch_cuda_version = ENGRAM_TORCH_CUDA_VERSION;
  info.nvcc_version = ENGRAM_NVCC_VERSION;
  info.cuda_arch_list = ENGRAM_CUDA_ARCH_LIST;
  info.build_type = ENGRAM_BUILD_TYPE;
  info.compiler = ENGRAM_CXX_COMPILER;
  info.intra_op_threads = at::get_num_threads();
  info.inter_op_threads = at::get_num_interop_threads();
  info.parallel_info = at::get_parallel_info();
  info.cuda_available = torch::cuda::is_available();
#ifdef ENGRAM_WITH_CUDA
  info.cuda_kernels_compiled = true;
  const auto props = cuda::query_devices();
  for (std::size_t d = 0; d < props.size(); ++d) {
    info.devices.push_back(
        {static_cast<int>(d), props[d].name, props[d].major, props[d].minor,
         static_cast<double>(props[d].total_memory) / (1024.0 * 1024.0 * 1024.0)});
  }
  info.kernel_probe = props.empty() ? "not run (no GPU visible)" : cuda::probe_kernel_launch(0);
#else
  info.cuda_kernels_compiled = false;
  const auto count = static_cast<int>(torch::cuda::device_count());
  for (int d = 0; d < count; ++d) {
    info.devices.push_back({d, "cuda:" + std::to_string(d), 0, 0, 0.0});
  }
  info.kernel_probe = "not run (CUDA kernels not compiled)";
#endif
  return info;
}

std::string format_build_info(const BuildInfo& info) {
  std::ostringstream out;
  out << "engram " << info.engram_version << " (" << info.build_type << ", " << info.compiler
      << ")\n";
  out << "  LibTorch            " << info.torch_version << "\n";
  out << "  LibTorch CUDA       " << info.torch_cuda_version << "\n";
  out << "  nvcc (kernels)      " << info.nvcc_version << "\n";
  out << "  CUDA kernels        " << (info.cuda_kernels_compiled ? "compiled" : "not compiled");
  if (info.cuda_kernels_compiled) {
    out << " (arch " << info.cuda_arch_list << ")";
  }
  out << "\n";
  out << "  CUDA available      " << (info.cuda_available ? "yes" : "no") << "\n";
  out << "  kernel launch       " << info.kernel_probe << "\n";
  out << "  devices             cpu";
  for (const auto& d : info.devices) {
    out << ", cuda:" << d.index << " " << d.name;
    if (d.compute_major > 0) {
      out << " (sm_" << d.compute_major << d.compute_minor << ", " << d.memory_gib << " GiB)";
    }
  }
  out << "\n";
  out << "  threads             " << info.intra_op_threads << " intra-op, " << info.inter_op_threads
      << " inter-op\n";
  return out.str();
}

} // namespace engram
