// MNIST-format labels: integers in the format's declared 10 classes; anything else is an error
// naming the file, the label's index and its value.
#include <engram/data/dataset.h>
#include <engram/data/idx.h>

#include <support/error_message.h>
#include <support/scratch_dir.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace engram::data {
namespace {

namespace fs = std::filesystem;

std::string mnist_dir(const std::string& name, const at::Tensor& train_labels) {
  const fs::path dir = engram::testing::scratch_dir("labels_" + name);
  const int64_t n = train_labels.size(0);
  write_idx((dir / "train-images-idx3-ubyte").string(), at::zeros({n, 4, 4}, at::kByte));
  write_idx((dir / "train-labels-idx1-ubyte").string(), train_labels);
  write_idx((dir / "t10k-images-idx3-ubyte").string(), at::zeros({3, 4, 4}, at::kByte));
  write_idx((dir / "t10k-labels-idx1-ubyte").string(), at::arange(3, at::kByte));
  return dir.string();
}

TEST(MnistLabels, ClassCountIsTheFormatsDeclaration) {
  // Labels 0..2 only: still a 10-class set, not a 3-class one.
  const Dataset d = load_mnist_dataset(mnist_dir("declared", at::arange(3, at::kByte)), "t");
  EXPECT_EQ(d.num_classes, 10);
}

TEST(MnistLabels, FloatLabelsAreRefused) {
  const std::string dir = mnist_dir("float", at::tensor({1.0f, 3.7f, 2.0f}));
  EXPECT_ERROR_MENTIONS(load_mnist_split(dir, true),
                        "train-labels-idx1-ubyte' holds Float elements; labels must be integers");
}

TEST(MnistLabels, OutOfRangeLabelNamesFileIndexAndValue) {
  const std::string dir = mnist_dir("range", at::tensor({1, 2, 200, 3}, at::kByte));
  EXPECT_ERROR_MENTIONS(load_mnist_split(dir, true),
                        "train-labels-idx1-ubyte' label 2 is 200, expected a class in [0, 9]");
  const std::string neg = mnist_dir("negative", at::tensor({1, -4, 2}, at::kChar));
  EXPECT_ERROR_MENTIONS(load_mnist_split(neg, true), "label 1 is -4");
}

} // namespace
} // namespace engram::data
