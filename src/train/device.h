#pragma once
// The device a run trains on, as the `--device` flag of `engram run`, `engram compare` and the
// examples names it, and the `--deterministic` switch.
//
//   cpu       the CPU (the default everywhere)
//   cuda      the current CUDA device (cuda:0 unless CUDA_VISIBLE_DEVICES says otherwise)
//   cuda:N    CUDA device N of the visible ones
//   auto      cuda when a CUDA device is visible to this LibTorch, else cpu
//
// A name that is not one of these, or a CUDA device that this LibTorch cannot reach (a build
// without CUDA, no visible GPU, an index past the last one), is a one-line error naming what was
// asked and what is available: "--device: 'cuda:3' asked, available: cpu (this LibTorch has no
// CUDA)".

#include <c10/core/Device.h>

#include <string>

namespace engram::train {

// Parses a device name (see above); `flag` names the option in the error.
c10::Device parse_device(const std::string& name, const std::string& flag = "--device");

// "cpu" or "cpu, cuda:0, cuda:1", and why CUDA is missing when it is: "cpu (no CUDA device is
// visible)" or "cpu (this LibTorch has no CUDA)".
std::string available_devices();

// The name a result records: "cpu", "cuda:0" (a bare "cuda" resolved to its index).
std::string device_name(const c10::Device& device);

// Turns on LibTorch's deterministic algorithms (at::globalContext().setDeterministicAlgorithms
// with errors for ops that have no deterministic form), cuDNN determinism without benchmarking,
// and sets CUBLAS_WORKSPACE_CONFIG=:4096:8 unless it is already set. Call it before the first CUDA
// operation of the process: cuBLAS reads the variable when it starts. Off restores LibTorch's
// defaults (the variable stays).
void set_deterministic(bool on);

// Runs `what` and turns LibTorch's "... does not have a deterministic implementation" error into a
// one-line error naming the op and the --deterministic flag; other errors pass unchanged.
template <typename Fn>
auto refuse_nondeterministic(Fn&& what) -> decltype(what());

namespace detail {
[[noreturn]] void rethrow_nondeterministic(const std::exception& error);
bool is_nondeterministic_error(const std::exception& error);
} // namespace detail

template <typename Fn>
auto refuse_nondeterministic(Fn&& what) -> decltype(what()) {
  try {
    return what();
  } catch (const std::exception& e) {
    if (detail::is_nondeterministic_error(e))
      detail::rethrow_nondeterministic(e);
    throw;
  }
}

} // namespace engram::train
