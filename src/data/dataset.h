#pragma once
// A labelled image-classification dataset held in memory: the raw material that continual-learning
// streams (split, permuted, rotated) are cut from.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace engram::data {

struct Dataset {
  at::Tensor train_images; // float32 [N, rows*cols] in [0, 1]
  at::Tensor train_labels; // int64 [N]
  at::Tensor test_images;
  at::Tensor test_labels;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t num_classes = 0;
  std::string name;

  int64_t input_dim() const { return rows * cols; }
};

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
