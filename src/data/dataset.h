#pragma once
// A labelled image-classification dataset held in memory: the raw material that continual-learning
// streams (split, permuted, rotated) are cut from.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace engram::data {

struct Dataset {
  at::Tensor train_images; // float32 [N, channels*rows*cols]: in [0, 1], or normalised per channel
  at::Tensor train_labels; // int64 [N]
  at::Tensor test_images;
  at::Tensor test_labels;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t num_classes = 0;
  std::string name;
  int64_t channels = 1; // images are [channels, rows, cols], stored flat channel by channel
  // Per-channel normalisation applied to the pixels in [0, 1]: (x - mean[c]) / std[c]. Empty: none.
  std::vector<double> mean;
  std::vector<double> std;

  int64_t input_dim() const { return channels * rows * cols; }
  // [channels, rows, cols]
  std::vector<int64_t> input_shape() const { return {channels, rows, cols}; }
  // Per channel, the stored value of a black pixel (0 before normalisation): what padding adds.
  std::vector<double> black_level() const;
};

// The dataset with every image padded to size x size pixels, centred (the extra rows and columns
// split as evenly as possible, the odd one at the bottom and right), with black pixels
// (black_level()): e.g. 28 x 28 MNIST to the 32 x 32 of van de Ven et al.'s permuted MNIST (1024
// inputs). `size` must be >= rows and >= cols; equal to both returns the dataset unchanged.
Dataset pad_dataset(const Dataset& dataset, int64_t size);

// Loads both splits of an MNIST-format directory (MNIST, Fashion-MNIST, KMNIST, ...).
Dataset load_mnist_dataset(const std::string& dir, const std::string& name = "mnist-format");

struct SyntheticDatasetOptions {
  int64_t num_classes = 4;
  int64_t rows = 6;
  int64_t cols = 6;
  int64_t train_per_class = 200;
  int64_t test_per_class = 100;
  double noise = 0.15; // standard deviation of the Gaussian noise around each class prototype
  uint64_t seed = 0;
};

// A small, learnable dataset for tests: one random [0,1] prototype per class, samples are the
// prototype plus Gaussian noise clipped to [0, 1]. Deterministic in `seed`.
Dataset make_synthetic_dataset(const SyntheticDatasetOptions& options);

} // namespace engram::data
