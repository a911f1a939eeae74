#include <engram/cl/agem.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace engram::cl {
namespace {

TEST(Agem, ProjectedGradientNeverConflictsWithTheReference) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  int conflicts = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    at::Tensor g = at::randn({50}, gen, at::kDouble);
    at::Tensor ref = at::randn({50}, gen, at::kDouble) * (trial % 7 + 0.1);
    at::Tensor p = agem_project(g, ref);
    const double before = (g * ref).sum().item<double>();
    const double after = (p * ref).sum().item<double>();
    EXPECT_GE(after, -1e-9 * ref.norm().item<double>() * g.norm().item<double>());
    if (before < 0) {
      ++conflicts;
      EXPECT_NEAR(after, 0.0, 1e-9) << "a conflicting gradient lands on the boundary";
      // Projection removes only the conflicting component: the rest is unchanged.
      at::Tensor rest = g - (g * ref).sum() / (ref * ref).sum() * ref;
      EXPECT_TRUE(at::allclose(p, rest));
    } else {
      EXPECT_TRUE(at::equal(p, g)) << "a gradient that agrees is left alone";
    }
  }
  EXPECT_GT(conflicts, 500); // both branches exercised
}

TEST(Agem, ZeroReferenceLeavesGradient) {
  at::Tensor g = at::ones({4}, at::kDouble);
  EXPECT_TRUE(at::equal(agem_project(g, at::zeros({4}, at::kDouble)), g));
}

} // namespace
} // namespace engram::cl
