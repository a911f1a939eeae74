// iCaRL: herding picks the exemplars whose running mean approaches the class mean, the
// nearest-mean-of-exemplars classifier predicts the class of the closest mean, and the strategy
// keeps memory_size / classes exemplars per class.
#include <cl/cl_test_util.h>
#include <cl/class_il_stream.h>

#include <engram/cl/icarl.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace engram {
namespace {

TEST(Icarl, HerdingChoosesGreedilyTheSamplesWhoseMeanApproachesTheClassMean) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(8);
  const at::Tensor f = cl::l2_normalize_rows(at::randn({60, 6}, gen, at::kDouble));
  const int64_t m = 12;
  const at::Tensor chosen = cl::herding_selection(f, m);
  ASSERT_EQ(chosen.numel(), m);
  EXPECT_EQ(std::get<0>(at::_unique(chosen)).numel(), m) << "exemplars are distinct";
  const at::Tensor mu = f.mean(0);
  // Brute force: each pick minimises |mu - (sum so far + f_i) / k| over the samples not yet taken.
  at::Tensor sum = at::zeros_like(mu);
  std::vector<bool> taken(60, false);
  for (int64_t k = 1; k <= m; ++k) {
    double best = std::numeric_limits<double>::infinity();
    int64_t best_i = -1;
    for (int64_t i = 0; i < 60; ++i) {
      if (taken[static_cast<size_t>(i)])
        continue;
      const double d = (mu - (sum + f[i]) / double(k)).norm().item<double>();
      if (d < best) {
        best = d;
        best_i = i;
      }
    }
    ASSERT_EQ(chosen[k - 1].item<int64_t>(), best_i) << "pick " << k;
    taken[static_cast<size_t>(best_i)] = true;
    sum = sum + f[best_i];
  }
  // The herded mean is far closer to the class mean than the mean of a random subset.
  const double herded = (f.index_select(0, chosen).mean(0) - mu).norm().item<double>();
  double random_sum = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const at::Tensor r = at::randperm(60, gen, at::kLong).narrow(0, 0, m);
    random_sum += (f.index_select(0, r).mean(0) - mu).norm().item<double>();
  }
  EXPECT_LT(herded, 0.25 * random_sum / 100);
}

TEST(Icarl, NearestMeanClassifierPredictsTheClosestMean) {
  const at::Tensor means =
      at::tensor({1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 0.0}, at::kDouble).view({4, 2});
  const at::Tensor has = at::tensor({1, 1, 1, 0}, at::kLong).to(at::kBool);
  const at::Tensor f = at::tensor({0.8, 0.6, -0.6, 0.8, -0.96, -0.28}, at::kDouble).view({3, 2});
  const at::Tensor s = cl::nearest_mean_scores(f, means, has);
  // By hand: |f - mu|^2 for the first sample: (0.04 + 0.36), (0.64 + 0.16), (3.24 + 0.36).
  EXPECT_NEAR(s[0][0].item<double>(), -0.40, 1e-12);
  EXPECT_NEAR(s[0][1].item<double>(), -0.80, 1e-12);
  EXPECT_NEAR(s[0][2].item<double>(), -3.60, 1e-12);
  EXPECT_EQ(s[0][3].item<double>(), std::numeric_limits<float>::lowest())
      << "a class without exemplars is never predicted";
  EXPECT_TRUE(at::equal(s.argmax(1), at::tensor({0, 1, 2}, at::kLong)));
}

TEST(Icarl, LossIsTheMeanBinaryCrossEntropyWithTheTeachersSigmoidsAtTemperatureOnOldClasses) {
  // Units 0, 1 old, 2, 3 new, 4 not seen yet; one sample of class 2.
  const at::Tensor logits = at::tensor({0.5, -1.0, 2.0, 0.25, 3.0}, at::kDouble).view({1, 5});
  const at::Tensor teacher = at::tensor({1.5, -0.5, 9.0, 9.0, 9.0}, at::kDouble).view({1, 5});
  const at::Tensor y = at::tensor({2}, at::kLong);
  const at::Tensor old_units = at::tensor({0, 1}, at::kLong);
  const at::Tensor seen = at::tensor({0, 1, 2, 3}, at::kLong);
  const auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  const auto bce = [&](double z, double t) {
    return -(t * std::log(sig(z)) + (1 - t) * std::log(1 - sig(z)));
  };
  for (const double T : {1.0, 2.0}) {
    const double by_hand =
        (bce(0.5, sig(1.5 / T)) + bce(-1.0, sig(-0.5 / T)) + bce(2.0, 1.0) + bce(0.25, 0.0)) / 4;
    EXPECT_NEAR(cl::icarl_loss(logits, teacher, y, old_units, seen, T).item<double>(), by_hand,
                1e-12)
        << "T = " << T;
  }
  // Without a teacher (the first task) every target is one-hot.
  const double first = (bce(0.5, 0) + bce(-1.0, 0) + bce(2.0, 1) + bce(0.25, 0)) / 4;
  EXPECT_NEAR(cl::icarl_loss(logits, at::Tensor(), y, at::Tensor(), seen, 1).item<double>(), first,
              1e-12);
  EXPECT_THROW(cl::icarl_loss(logits, teacher, y, old_units, seen, 0), c10::Error);
}

TEST(Icarl, KeepsItsShareOfExemplarsPerClassAndPredictsByTheirMeans) {
  at::set_num_threads(1);
  const auto stream = testing::two_task_class_il_stream();
  train::TrainerConfig cfg;
  cfg.iterations = 60;
  cfg.batch_size = 16;
  cfg.seed = 2;
  cl::IcarlStrategy icarl(cl::IcarlOptions().memory_size(42));
  const auto preset = testing::small_mlp_preset();
  std::vector<models::Network> built; // the first is the trained model, later ones teachers
  train::run_continual(
      stream, icarl,
      [&] {
        built.push_back(models::build_network(preset, stream.input_dim(), stream.num_outputs()));
        return built.back();
      },
      cfg);
  // 42 / 4 classes = 10 each (the last 2 slots unused).
  const cl::Batch& e = icarl.exemplars();
  EXPECT_TRUE(at::equal(at::bincount(e.y), at::full({4}, 10, at::kLong)));
  EXPECT_TRUE(at::equal(e.task, at::floor_divide(e.y, 2))) << "classes 0, 1 in task 0; 2, 3 in 1";
  // The class means are those of the exemplars' normalised features under the final model.
  at::NoGradGuard no_grad;
  models::NetworkImpl& model = *built.front();
  model.eval();
  const at::Tensor f = cl::l2_normalize_rows(model.features(e.x));
  at::Tensor means = at::zeros({4, f.size(1)});
  for (int64_t c = 0; c < 4; ++c)
    means[c] = f.index_select(0, e.y.eq(c).nonzero().reshape(-1)).mean(0);
  means = cl::l2_normalize_rows(means);
  ASSERT_TRUE(icarl.class_means().defined());
  EXPECT_TRUE(at::allclose(icarl.class_means(), means, 1e-5, 1e-6));
  EXPECT_TRUE(icarl.has_mean().all().item<bool>());
  // Evaluation predicts the class of the nearest mean, and that classifies both tasks.
  const data::TaskSplit& test = stream.task(0).test;
  const at::Tensor x = test.images_at(at::arange(test.size(), at::kLong));
  const at::Tensor scores = icarl.prediction_scores(model, x, at::zeros({x.size(0)}, at::kLong));
  const at::Tensor g = cl::l2_normalize_rows(model.features(x));
  const at::Tensor nearest = at::cdist(g, means).argmin(1);
  EXPECT_TRUE(at::equal(scores.argmax(1), nearest));
  EXPECT_GT(nearest.eq(test.targets).to(at::kDouble).mean().item<double>(), 0.5)
      << "the first task's classes are remembered";
  EXPECT_FALSE(icarl.unsupported_reason(data::Scenario::kDomain).empty());
  EXPECT_FALSE(icarl.unsupported_reason(data::Scenario::kTask).empty());
  EXPECT_TRUE(icarl.unsupported_reason(data::Scenario::kClass).empty());
  const auto domain = testing::two_task_stream(data::Scenario::kDomain);
  cl::IcarlStrategy other;
  EXPECT_THROW(
      train::run_continual(
          domain, other,
          [&] { return models::build_network(preset, domain.input_dim(), domain.num_outputs()); },
          cfg),
      c10::Error);
}

} // namespace
} // namespace engram
