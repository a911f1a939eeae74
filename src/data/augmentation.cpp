#include <engram/data/augmentation.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::data {

Augmentation parse_augmentation(const std::string& name) {
  if (name == "none")
    return Augmentation::kNone;
  if (name == "standard")
    return Augmentation::kStandard;
  TORCH_CHECK(false, "--augment: expected none or standard, got '", name, "'");
}

std::string to_string(Augmentation augmentation) {
  return augmentation == Augmentation::kStandard ? "standard" : "none";
}

namespace {

void check_images(const at::Tensor& x, const char* fn) {
  TORCH_CHECK(x.dim() == 4, fn, ": argument 'x' expected [B, C, H, W], got ", x.sizes());
}

// Integers uniform in [0, high) for each of `n` samples, drawn with `generator` on its device and
// moved to `device`.
at::Tensor draw(int64_t high, int64_t n, at::Generator& generator, const at::Device& device) {
  const at::Tensor r = at::randint(high, {n}, generator,
                                   at::TensorOptions().dtype(at::kLong).device(generator.device()));
  return r.device() == device ? r : r.to(device);
}

} // namespace

at::Tensor horizontal_flip(const at::Tensor& x) {
  check_images(x, "horizontal_flip");
  return x.flip({3});
}

at::Tensor random_horizontal_flip(const at::Tensor& x, at::Generator& generator) {
  check_images(x, "random_horizontal_flip");
  const at::Tensor flip = draw(2, x.size(0), generator, x.device()).to(at::kBool);
  return at::where(flip.view({-1, 1, 1, 1}), x.flip({3}), x);
}

at::Tensor random_crop(const at::Tensor& x, int64_t padding, const std::vector<double>& fill,
                       at::Generator& generator) {
  check_images(x, "random_crop");
  TORCH_CHECK(padding >= 0, "random_crop: argument 'padding' expected >= 0, got ", padding);
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  TORCH_CHECK(static_cast<int64_t>(fill.size()) == C, "random_crop: argument 'fill' expected ", C,
              " values (one per channel), got ", fill.size());
  if (padding == 0)
    return x;
  const int64_t P = padding;
  const at::Tensor level =
      at::tensor(std::vector<float>(fill.begin(), fill.end()), x.options().device(at::kCPU))
          .to(x.device())
          .view({1, C, 1, 1});
  at::Tensor padded = level.expand({B, C, H + 2 * P, W + 2 * P}).clone();
  padded.narrow(2, P, H).narrow(3, P, W).copy_(x);
  const at::Tensor dy = draw(2 * P + 1, B, generator, x.device());
  const at::Tensor dx = draw(2 * P + 1, B, generator, x.device());
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(x.device());
  // Rows dy[b] .. dy[b] + H - 1, then columns dx[b] .. dx[b] + W - 1, gathered per image.
  const at::Tensor rows = (dy.view({B, 1}) + at::arange(H, long_options).view({1, H}))
                              .view({B, 1, H, 1})
                              .expand({B, C, H, W + 2 * P});
  const at::Tensor cropped_rows = padded.gather(2, rows);
  const at::Tensor cols = (dx.view({B, 1}) + at::arange(W, long_options).view({1, W}))
                              .view({B, 1, 1, W})
                              .expand({B, C, H, W});
  return cropped_rows.gather(3, cols);
}

at::Tensor augment_batch(const at::Tensor& x, const std::vector<int64_t>& shape,
                         Augmentation augmentation, const std::vector<double>& fill,
                         at::Generator& generator) {
  if (augmentation == Augmentation::kNone)
    return x;
  TORCH_CHECK(shape.size() == 3,
              "augment_batch: --augment standard needs images [C, H, W], the "
              "stream's input shape is ",
              at::IntArrayRef(shape));
  std::vector<int64_t> batch_shape{x.size(0)};
  batch_shape.insert(batch_shape.end(), shape.begin(), shape.end());
  const at::Tensor images = x.reshape(batch_shape);
  at::Tensor out = random_horizontal_flip(random_crop(images, 4, fill, generator), generator);
  return out.reshape(x.sizes());
}

} // namespace engram::data
