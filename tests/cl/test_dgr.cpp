// Deep generative replay: the VAE learns its inputs and generates samples of their shape and
// range, and the replay loss uses the previous model's hard or soft targets over the previous
// tasks' units (checked against a hand computation).
#include <engram/cl/dgr.h>
#include <engram/models/vae.h>

#include <support/module_contract.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>

namespace engram {
namespace {

TEST(Vae, LearnsItsInputsAndSamplesInTheirRange) {
  at::manual_seed(1);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
  models::Vae vae(models::VaeOptions(16).hidden(32).latent_dim(4));
  // Two prototypes and their noisy copies, in [0, 1].
  const at::Tensor protos = at::rand({2, 16}, gen);
  const at::Tensor x = (protos.repeat({64, 1}) + 0.05 * at::randn({128, 16}, gen)).clamp(0, 1);
  torch::optim::Adam opt(vae->parameters(), torch::optim::AdamOptions(1e-2));
  const double before = vae->loss(x, gen).item<double>();
  for (int i = 0; i < 300; ++i) {
    opt.zero_grad();
    vae->loss(x, gen).backward();
    opt.step();
  }
  const double after = vae->loss(x, gen).item<double>();
  // The reconstruction term cannot go below the entropy of the (non-binary) inputs: training
  // closes more than half of the gap to it.
  const double entropy =
      -(x * at::log(x.clamp_min(1e-12)) + (1 - x) * at::log((1 - x).clamp_min(1e-12)))
           .mean()
           .item<double>();
  EXPECT_LT(after - entropy, 0.5 * (before - entropy))
      << "before " << before << ", after " << after << ", entropy " << entropy;
  at::NoGradGuard no_grad;
  const at::Tensor s = vae->sample(200, gen);
  EXPECT_EQ(s.sizes(), (at::IntArrayRef{200, 16}));
  EXPECT_TRUE(at::all(s.ge(0).logical_and(s.le(1))).item<bool>());
  // Samples resemble the data: each is closer to a prototype than the prototypes are to each
  // other, on average.
  const double nearest = at::cdist(s, protos).amin(1).mean().item<double>();
  const double apart = (protos[0] - protos[1]).norm().item<double>();
  EXPECT_LT(nearest, 0.5 * apart);
  // The module contract: a deep clone, and a save/load round trip.
  auto copy = testing::clone_of(vae);
  testing::expect_same_tensors(*vae, *copy);
  testing::expect_no_shared_storage(*vae, *copy);
  models::Vae other(models::VaeOptions(16).hidden(32).latent_dim(4));
  testing::save_into(vae, other);
  testing::expect_same_tensors(*vae, *other);
  EXPECT_THROW(vae->forward(at::zeros({2, 15})), c10::Error);
}

TEST(Dgr, ReplayLossTakesThePreviousModelsTargetsOverTheUnitsActiveNow) {
  const at::Tensor student =
      at::tensor({0.5, -1.0, 2.0, 0.3, 1.0, 0.0, -0.5, 0.7}, at::kDouble).view({2, 4});
  const at::Tensor teacher =
      at::tensor({1.0, 3.0, 9.0, 9.0, 2.0, -1.0, 9.0, 9.0}, at::kDouble).view({2, 4});
  // Class-IL at task 1: the student competes over units 0-2 (unit 3 is a later task's), the
  // previous model's targets cover units 0 and 1.
  const at::Tensor now = at::tensor({1, 1, 1, 0}, at::kLong).to(at::kBool);
  const at::Tensor before = at::tensor({1, 1, 0, 0}, at::kLong).to(at::kBool);
  const double s[2][3] = {{0.5, -1.0, 2.0}, {1.0, 0.0, -0.5}}, t[2][2] = {{1.0, 3.0}, {2.0, -1.0}};
  // Hard: the teacher's best previous unit (1 for sample 0, 0 for sample 1).
  const int target[2] = {1, 0};
  double hard = 0;
  for (int b = 0; b < 2; ++b)
    hard += std::log(std::exp(s[b][0]) + std::exp(s[b][1]) + std::exp(s[b][2])) - s[b][target[b]];
  hard /= 2;
  EXPECT_NEAR(cl::generative_replay_loss(student, teacher, now, before, false, 2).item<double>(),
              hard, 1e-12);
  // Soft at T = 2: T^2 * mean_b sum_k p_k * -log q_k, p over units 0, 1 (zero on unit 2), q over
  // units 0-2.
  const double T = 2;
  double soft = 0;
  for (int b = 0; b < 2; ++b) {
    const double zp = std::exp(t[b][0] / T) + std::exp(t[b][1] / T);
    const double zq = std::exp(s[b][0] / T) + std::exp(s[b][1] / T) + std::exp(s[b][2] / T);
    for (int k = 0; k < 2; ++k)
      soft += -(std::exp(t[b][k] / T) / zp) * (s[b][k] / T - std::log(zq));
  }
  soft = soft / 2 * T * T;
  EXPECT_NEAR(cl::generative_replay_loss(student, teacher, now, before, true, T).item<double>(),
              soft, 1e-12);
}

} // namespace
} // namespace engram
