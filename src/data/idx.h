#pragma once
// IDX files (the MNIST format): a magic number giving the element type and rank, big-endian
// dimension sizes, then the raw elements. Plain or gzip-compressed (".gz").

#include <ATen/core/Tensor.h>

#include <string>

namespace engram::data {

// Reads an IDX file into a tensor of the file's element type (uint8, int8, int16, int32,
// float32 or float64) and shape. A ".gz" path is decompressed; a missing plain file also tries
// "<path>.gz". Throws c10::Error naming the path and what is wrong with it.
at::Tensor read_idx(const std::string& path);

// Writes `tensor` (uint8, int8, int16, int32, float32 or float64; any rank <= 255) as an IDX file;
// gzip-compressed when the path ends in ".gz". Written durably and atomically (io/atomic_file.h).
void write_idx(const std::string& path, const at::Tensor& tensor);

// One split of an MNIST-format directory: images as float32 [N, rows*cols] in [0, 1], labels as
// int64 [N].
struct MnistSplit {
  at::Tensor images;
  at::Tensor labels;
  int64_t rows = 0;
  int64_t cols = 0;
};

// MNIST-format sets declare 10 classes: a label outside [0, 9] is an error naming the file, the
// label's index and its value (not a silently wider class count).
constexpr int64_t kMnistClasses = 10;

// Loads "<dir>/train-images-idx3-ubyte[.gz]" and labels (train) or the "t10k-" files (test).
// Labels must be integers in [0, kMnistClasses).
MnistSplit load_mnist_split(const std::string& dir, bool train);

// Where Debian's dataset-fashion-mnist package puts Fashion-MNIST.
constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

} // namespace engram::data
