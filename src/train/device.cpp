#include <engram/train/device.h>

#include <ATen/Context.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace engram::train {

namespace {

constexpr std::string_view kNondeterministic = " does not have a deterministic implementation";

// N of "cuda:N", or -1 when `digits` is not a plain non-negative integer.
int64_t parse_index(const std::string& digits) {
  if (digits.empty() || digits.size() > 6 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  return std::strtoll(digits.c_str(), nullptr, 10);
}

} // namespace

std::string available_devices() {
  if (!at::hasCUDA())
    return "cpu (this LibTorch has no CUDA)";
  const auto n = static_cast<int64_t>(torch::cuda::device_count());
  if (n == 0)
    return "cpu (no CUDA device is visible)";
  std::string s = "cpu";
  for (int64_t i = 0; i < n; ++i)
    s += ", cuda:" + std::to_string(i);
  return s;
}

c10::Device parse_device(const std::string& name, const std::string& flag) {
  const bool cuda_visible = at::hasCUDA() && torch::cuda::device_count() > 0;
  if (name == "cpu")
    return c10::Device(c10::kCPU);
  if (name == "auto")
    return cuda_visible ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  const bool bare_cuda = name == "cuda";
  const bool indexed_cuda = name.rfind("cuda:", 0) == 0;
  TORCH_CHECK(bare_cuda || indexed_cuda, flag, ": '", name,
              "' asked, expected cpu, cuda, cuda:N or auto; available: ", available_devices());
  const int64_t index = bare_cuda ? 0 : parse_index(name.substr(5));
  TORCH_CHECK(index >= 0, flag, ": '", name,
              "' asked, expected cpu, cuda, cuda:N or auto; available: ", available_devices());
  TORCH_CHECK(cuda_visible && index < static_cast<int64_t>(torch::cuda::device_count()), flag,
              ": '", name, "' asked, available: ", available_devices());
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string device_name(const c10::Device& device) {
  if (device.is_cuda())
    return "cuda:" + std::to_string(device.has_index() ? device.index() : 0);
  return device.str();
}

void set_deterministic(bool on) {
  // cuBLAS reads it when its first handle is created; an explicit setting of the user wins.
  if (on)
    ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
  at::globalContext().setDeterministicAlgorithms(on, /*warn_only=*/false);
  at::globalContext().setDeterministicCuDNN(on);
  at::globalContext().setBenchmarkCuDNN(false);
}

namespace detail {

bool is_nondeterministic_error(const std::exception& error) {
  return std::string_view(error.what()).find(kNondeterministic) != std::string_view::npos;
}

void rethrow_nondeterministic(const std::exception& error) {
  const std::string_view what = error.what();
  std::string_view op = what.substr(0, what.find(kNondeterministic));
  // The op is the last line before the phrase (LibTorch may prefix context lines).
  if (const auto nl = op.rfind('\n'); nl != std::string_view::npos)
    op = op.substr(nl + 1);
  TORCH_CHECK(false, "--deterministic: ", op,
              " has no deterministic implementation on this device; run without --deterministic "
              "or on another device");
}

} // namespace detail

} // namespace engram::train
