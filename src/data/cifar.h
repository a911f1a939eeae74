#pragma once
// The CIFAR-10 and CIFAR-100 binary formats (Krizhevsky 2009, "binary version"): a file is a
// sequence of records, each the label byte(s) followed by a 32x32 colour image as 3072 bytes
// (1024 red, then 1024 green, then 1024 blue, rows top to bottom).
//   CIFAR-10:  <label 0..9> <3072 pixels> cifar-10-batches-bin/data_batch_{1..5}.bin,
//                                                         test_batch.bin
//   CIFAR-100: <coarse 0..19> <fine 0..99> <3072 pixels>  cifar-100-binary/train.bin, test.bin
// Nothing is downloaded: the directory is --data-dir, else $ENGRAM_CIFAR10_DIR /
// $ENGRAM_CIFAR100_DIR; either may be the directory holding the files or its parent.

#include <engram/data/dataset.h>

#include <ATen/core/Tensor.h>

#include <array>
#include <string>
#include <vector>

namespace engram::data {

enum class CifarFormat { kCifar10, kCifar100 };

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarPixels = 3 * kCifarSide * kCifarSide; // 3072 bytes per image

// Bytes per record: 3073 (CIFAR-10) or 3074 (CIFAR-100).
int64_t cifar_record_bytes(CifarFormat format);

// The standard per-channel means and standard deviations of the training images in [0, 1]
// (red, green, blue), with which the benchmarks normalise.
constexpr std::array<double, 3> kCifar10Mean{0.4914, 0.4822, 0.4465};
constexpr std::array<double, 3> kCifar10Std{0.2470, 0.2435, 0.2616};
constexpr std::array<double, 3> kCifar100Mean{0.5071, 0.4865, 0.4409};
constexpr std::array<double, 3> kCifar100Std{0.2673, 0.2564, 0.2762};

struct CifarRecords {
  at::Tensor images;        // uint8 [N, 3, 32, 32]
  at::Tensor labels;        // int64 [N]: the label (CIFAR-10) or the fine label (CIFAR-100)
  at::Tensor coarse_labels; // int64 [N] (CIFAR-100), undefined for CIFAR-10
};

// Reads one file. A missing or empty file, a size that is not a whole number of records, or a
// label out of range is an error naming the file (and the record and value).
CifarRecords read_cifar_file(const std::string& path, CifarFormat format);

// Writes records in the format, atomically (tests and tools make small CIFAR-format files).
// `coarse_labels` is required for CIFAR-100 and ignored for CIFAR-10.
void write_cifar_file(const std::string& path, CifarFormat format, const at::Tensor& images,
                      const at::Tensor& labels, const at::Tensor& coarse_labels = at::Tensor());

// The files of each split, relative to the directory holding them.
std::vector<std::string> cifar_train_files(CifarFormat format);
std::vector<std::string> cifar_test_files(CifarFormat format);

// The directory holding the format's files: `data_dir` when given, else the environment variable;
// each may name the directory itself or its parent (cifar-10-batches-bin / cifar-100-binary).
// Throws naming the expected files and the variable when none holds them.
std::string find_cifar_dir(CifarFormat format, const std::string& data_dir = "");

// Both splits, normalised per channel with the format's standard means and deviations;
// Dataset::channels 3, rows = cols = 32, 10 or 100 classes (the fine labels of CIFAR-100).
Dataset load_cifar_dataset(CifarFormat format, const std::string& data_dir = "");

} // namespace engram::data
