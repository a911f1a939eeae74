#include <engram/data/dataset.h>

#include <engram/data/idx.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

namespace engram::data {

std::vector<double> Dataset::black_level() const {
  std::vector<double> level(static_cast<size_t>(channels), 0.0);
  for (size_t c = 0; c < level.size() && c < mean.size() && c < std.size(); ++c)
    level[c] = -mean[c] / std[c];
  return level;
}

Dataset pad_dataset(const Dataset& d, int64_t size) {
  TORCH_CHECK(size >= d.rows && size >= d.cols, "pad_dataset: argument 'size' expected >= the ",
              "images' ", d.rows, "x", d.cols, ", got ", size);
  if (size == d.rows && size == d.cols)
    return d;
  const int64_t top = (size - d.rows) / 2, left = (size - d.cols) / 2;
  const std::vector<double> black = d.black_level();
  const auto pad = [&](const at::Tensor& images) {
    const int64_t n = images.size(0);
    at::Tensor out = at::empty({n, d.channels, size, size}, images.options());
    for (int64_t c = 0; c < d.channels; ++c)
      out.select(1, c).fill_(black[static_cast<size_t>(c)]);
    out.narrow(2, top, d.rows)
        .narrow(3, left, d.cols)
        .copy_(images.reshape({n, d.channels, d.rows, d.cols}));
    return out.reshape({n, d.channels * size * size});
  };
  Dataset out = d;
  out.train_images = pad(d.train_images);
  out.test_images = pad(d.test_images);
  out.rows = size;
  out.cols = size;
  return out;
}

Dataset load_mnist_dataset(const std::string& dir, const std::string& name) {
  const MnistSplit train = load_mnist_split(dir, /*train=*/true);
  const MnistSplit test = load_mnist_split(dir, /*train=*/false);
  TORCH_CHECK(train.rows == test.rows && train.cols == test.cols,
              "load_mnist_dataset: train and test images in '", dir, "' differ in size (",
              train.rows, "x", train.cols, " vs ", test.rows, "x", test.cols, ")");
  Dataset d;
  d.train_images = train.images;
  d.train_labels = train.labels;
  d.test_images = test.images;
  d.test_labels = test.labels;
  d.rows = train.rows;
  d.cols = train.cols;
  d.num_classes = kMnistClasses; // declared by the format, not inferred from the labels
  d.name = name;
  return d;
}

Dataset make_synthetic_dataset(const SyntheticDatasetOptions& o) {
  TORCH_CHECK(o.num_classes >= 2,
              "make_synthetic_dataset: argument 'num_classes' expected >= 2, got ", o.num_classes);
  TORCH_CHECK(o.rows > 0 && o.cols > 0,
              "make_synthetic_dataset: argument 'rows'/'cols' expected > 0, got ", o.rows, "x",
              o.cols);
  TORCH_CHECK(o.train_per_class > 0 && o.test_per_class > 0,
              "make_synthetic_dataset: samples per class expected > 0, got train ",
              o.train_per_class, ", test ", o.test_per_class);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  const int64_t dim = o.rows * o.cols;
  const at::Tensor prototypes = at::rand({o.num_classes, dim}, gen, at::kFloat);
  auto sample = [&](int64_t per_class) {
    at::Tensor labels = at::arange(o.num_classes, at::kLong).repeat_interleave(per_class);
    at::Tensor noise = at::randn({labels.size(0), dim}, gen, at::kFloat) * o.noise;
    at::Tensor images = (prototypes.index_select(0, labels) + noise).clamp(0.0, 1.0);
    // Shuffle so that the order carries no class information.
    at::Tensor order = at::randperm(labels.size(0), gen, at::kLong);
    return std::make_pair(images.index_select(0, order).contiguous(),
                          labels.index_select(0, order));
  };
  Dataset d;
  std::tie(d.train_images, d.train_labels) = sample(o.train_per_class);
  std::tie(d.test_images, d.test_labels) = sample(o.test_per_class);
  d.rows = o.rows;
  d.cols = o.cols;
  d.num_classes = o.num_classes;
  d.name = "synthetic";
  return d;
}

} // namespace engram::data
