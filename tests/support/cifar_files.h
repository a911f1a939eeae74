#pragma once
// Small CIFAR-format directories for tests: every file the loader expects, with images whose class
// is visible in colour and layout (each class a random 4x4 grid of colours, upsampled to 32x32,
// plus pixel noise), so that a small convolutional network learns them well above chance.

#include <engram/data/cifar.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <string>

namespace engram::testing {

struct CifarImages {
  at::Tensor images; // uint8 [N, 3, 32, 32]
  at::Tensor labels; // int64 [N] (fine labels for CIFAR-100)
  at::Tensor coarse; // int64 [N] = fine / 5
};

// `per_class` images of each of `num_classes` classes, shuffled; deterministic in `seed`. The class
// prototypes depend on `prototype_seed` only, so train and test files share them.
inline CifarImages make_cifar_images(int64_t num_classes, int64_t per_class, uint64_t seed,
                                     uint64_t prototype_seed = 1234) {
  auto proto_gen = at::make_generator<at::CPUGeneratorImpl>(prototype_seed);
  const at::Tensor grid = at::rand({num_classes, 3, 4, 4}, proto_gen, at::kFloat) * 255.0;
  const at::Tensor prototypes = grid.repeat_interleave(8, 2).repeat_interleave(8, 3);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  at::Tensor labels = at::arange(num_classes, at::kLong).repeat_interleave(per_class);
  const at::Tensor order = at::randperm(labels.size(0), gen, at::kLong);
  labels = labels.index_select(0, order);
  const at::Tensor noise = at::randn({labels.size(0), 3, 32, 32}, gen, at::kFloat) * 25.0;
  const at::Tensor images =
      (prototypes.index_select(0, labels) + noise).clamp(0.0, 255.0).round().to(at::kByte);
  return {images, labels, at::floor_divide(labels, 5)};
}

// Writes the CIFAR-10 files (data_batch_1..5.bin, test_batch.bin) into `dir`: `train_per_class`
// images per class spread over the five batches, `test_per_class` in the test batch.
inline void write_cifar10_dir(const std::string& dir, int64_t train_per_class,
                              int64_t test_per_class, uint64_t seed = 0) {
  std::filesystem::create_directories(dir);
  const CifarImages train = make_cifar_images(10, train_per_class, seed);
  const CifarImages test = make_cifar_images(10, test_per_class, seed + 1);
  const int64_t n = train.images.size(0);
  for (int64_t b = 0; b < 5; ++b) {
    const int64_t begin = n * b / 5, end = n * (b + 1) / 5;
    data::write_cifar_file(dir + "/data_batch_" + std::to_string(b + 1) + ".bin",
                           data::CifarFormat::kCifar10, train.images.slice(0, begin, end),
                           train.labels.slice(0, begin, end));
  }
  data::write_cifar_file(dir + "/test_batch.bin", data::CifarFormat::kCifar10, test.images,
                         test.labels);
}

// Writes the CIFAR-100 files (train.bin, test.bin) into `dir`.
inline void write_cifar100_dir(const std::string& dir, int64_t train_per_class,
                               int64_t test_per_class, uint64_t seed = 0) {
  std::filesystem::create_directories(dir);
  const CifarImages train = make_cifar_images(100, train_per_class, seed);
  const CifarImages test = make_cifar_images(100, test_per_class, seed + 1);
  data::write_cifar_file(dir + "/train.bin", data::CifarFormat::kCifar100, train.images,
                         train.labels, train.coarse);
  data::write_cifar_file(dir + "/test.bin", data::CifarFormat::kCifar100, test.images, test.labels,
                         test.coarse);
}

} // namespace engram::testing
