#pragma once
// Argument checks of engram::gated_memory_layer (shared by the CPU, CUDA and reference kernels).
#include <ATen/ATen.h>

#include <cstdint>
#include <optional>

namespace engram::ops::detail {

struct GatedMemoryLayerSizes {
  int64_t T, B, I, H;
};

// Shapes, one floating dtype and one device for every tensor; absent bias / peephole: undefined
// or std::nullopt.
GatedMemoryLayerSizes check_gated_memory_layer(const char* fn, const at::Tensor& x,
                                               const at::Tensor& h0, const at::Tensor& c0,
                                               const at::Tensor& w_ih, const at::Tensor& w_hh,
                                               const at::Tensor& bias, const at::Tensor& peephole);

} // namespace engram::ops::detail
