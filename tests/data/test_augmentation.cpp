#include <engram/data/augmentation.h>

#include "support/error_message.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

using namespace engram::data;

namespace {
at::Generator generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

at::Tensor images(int64_t b = 16) {
  auto g = generator(5);
  return at::rand({b, 3, 32, 32}, g, at::kFloat);
}
} // namespace

TEST(Augmentation, FlipIsAnInvolutionThatMirrorsColumns) {
  const at::Tensor x = images();
  const at::Tensor f = horizontal_flip(x);
  EXPECT_FALSE(at::equal(f, x));
  EXPECT_TRUE(at::equal(horizontal_flip(f), x));
  EXPECT_TRUE(at::equal(f.select(3, 0), x.select(3, 31)));
}

TEST(Augmentation, RandomFlipFlipsSomeImagesAndKeepsTheOthers) {
  const at::Tensor x = images(64);
  auto g = generator(1);
  const at::Tensor y = random_horizontal_flip(x, g);
  int64_t flipped = 0, kept = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    if (at::equal(y[i], x[i]))
      ++kept;
    else if (at::equal(y[i], x[i].flip({2})))
      ++flipped;
  }
  EXPECT_EQ(flipped + kept, 64);
  EXPECT_GT(flipped, 16);
  EXPECT_GT(kept, 16);
}

TEST(Augmentation, CropKeepsTheShapeAndShowsAShiftedWindowOfThePaddedImage) {
  const at::Tensor x = images(32);
  auto g = generator(2);
  const std::vector<double> fill{-1.0, -2.0, -3.0};
  const at::Tensor y = random_crop(x, 4, fill, g);
  ASSERT_EQ(y.sizes(), x.sizes());
  int64_t shifted = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    // Rebuild the padded image and find the offset whose window is y[i].
    at::Tensor padded = at::empty({3, 40, 40});
    for (int64_t c = 0; c < 3; ++c)
      padded[c].fill_(fill[c]);
    padded.narrow(1, 4, 32).narrow(2, 4, 32).copy_(x[i]);
    bool found = false;
    for (int64_t dy = 0; dy <= 8 && !found; ++dy) {
      for (int64_t dx = 0; dx <= 8 && !found; ++dx) {
        if (at::equal(padded.narrow(1, dy, 32).narrow(2, dx, 32), y[i])) {
          found = true;
          shifted += (dy != 4 || dx != 4);
        }
      }
    }
    EXPECT_TRUE(found) << "image " << i;
  }
  EXPECT_GT(shifted, 16);
}

TEST(Augmentation, IsDeterministicUnderASeed) {
  const at::Tensor x = images().reshape({16, 3072});
  const std::vector<double> fill{0, 0, 0};
  auto g1 = generator(9), g2 = generator(9), g3 = generator(10);
  const std::vector<int64_t> shape{3, 32, 32};
  const at::Tensor a = augment_batch(x, shape, Augmentation::kStandard, fill, g1);
  const at::Tensor b = augment_batch(x, shape, Augmentation::kStandard, fill, g2);
  const at::Tensor c = augment_batch(x, shape, Augmentation::kStandard, fill, g3);
  EXPECT_EQ(a.sizes(), x.sizes());
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_FALSE(at::equal(a, c));
  EXPECT_FALSE(at::equal(a, x));
}

TEST(Augmentation, NoneIsTheIdentityAndDrawsNothing) {
  const at::Tensor x = images().reshape({16, 3072});
  auto g = generator(3), untouched = generator(3);
  const at::Tensor y = augment_batch(x, {3, 32, 32}, Augmentation::kNone, {0, 0, 0}, g);
  EXPECT_TRUE(y.is_same(x));
  EXPECT_TRUE(at::equal(g.get_state(), untouched.get_state()));
  auto g0 = generator(3);
  EXPECT_TRUE(at::equal(random_crop(images(), 0, {0, 0, 0}, g0), images()));
}

TEST(Augmentation, NamesAndBadArguments) {
  EXPECT_EQ(parse_augmentation("standard"), Augmentation::kStandard);
  EXPECT_EQ(to_string(parse_augmentation("none")), "none");
  EXPECT_ERROR_MENTIONS(parse_augmentation("mammoth"),
                        "--augment: expected none or standard, got 'mammoth'");
  auto g = generator(0);
  EXPECT_ERROR_MENTIONS(random_crop(images(), 4, {0, 0}, g), "expected 3 values");
  EXPECT_ERROR_MENTIONS(augment_batch(at::zeros({2, 64}), {64}, Augmentation::kStandard, {0}, g),
                        "needs images [C, H, W]");
}

TEST(Augmentation, RunsOnTheBatchDeviceWithTheSameDraws) {
  if (!torch::cuda::is_available())
    GTEST_SKIP() << "no CUDA device";
  const at::Tensor x = images().reshape({16, 3072});
  const std::vector<double> fill{-1, -2, -3};
  auto g_cpu = generator(4), g_for_cuda = generator(4);
  const at::Tensor on_cpu = augment_batch(x, {3, 32, 32}, Augmentation::kStandard, fill, g_cpu);
  const at::Tensor on_cuda =
      augment_batch(x.cuda(), {3, 32, 32}, Augmentation::kStandard, fill, g_for_cuda);
  EXPECT_TRUE(on_cuda.is_cuda());
  EXPECT_TRUE(at::equal(on_cuda.cpu(), on_cpu));
}
