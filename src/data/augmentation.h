#pragma once
// Training-time augmentation of image batches, as Mammoth trains on CIFAR: a random crop of the
// image padded by 4 pixels on each side (the padding is black: the per-channel value of a zero
// pixel after normalisation) and a random horizontal flip with probability 1/2. Batched tensor ops
// on the batch's device; the random draws come from the generator given (the trainer's, which
// checkpoints save), so a run is deterministic in its seed and resumes bit-identically.

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace engram::data {

enum class Augmentation { kNone, kStandard };

// "none" | "standard"; throws naming the flag, the accepted values and the value.
Augmentation parse_augmentation(const std::string& name);
std::string to_string(Augmentation augmentation);

// x: [B, C, H, W]. Each image mirrored left to right (an involution).
at::Tensor horizontal_flip(const at::Tensor& x);
// x: [B, C, H, W]. Each image flipped with probability 1/2.
at::Tensor random_horizontal_flip(const at::Tensor& x, at::Generator& generator);
// x: [B, C, H, W]. Each image padded by `padding` pixels of `fill` (one value per channel) on
// every side and cropped back to H x W at a uniformly drawn offset in [0, 2 padding]^2.
at::Tensor random_crop(const at::Tensor& x, int64_t padding, const std::vector<double>& fill,
                       at::Generator& generator);

// A training batch x: [B, prod(shape)] or [B, shape...] with `shape` = [C, H, W]; returns the
// augmented batch in x's layout. kNone returns x itself. `fill`: per channel, the value of a black
// pixel (Dataset::black_level).
at::Tensor augment_batch(const at::Tensor& x, const std::vector<int64_t>& shape,
                         Augmentation augmentation, const std::vector<double>& fill,
                         at::Generator& generator);

} // namespace engram::data
