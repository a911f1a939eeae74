// Complementary learning systems and sleep: interleaved replay prevents the AB-AC interference
// that focused training causes (McCloskey & Cohen 1989), lesioning the hippocampus spares old,
// consolidated memories and loses recent ones (temporally graded retrograde amnesia), and the
// cls-sleep strategy forgets less than naive fine-tuning on a synthetic stream.
#include <cl/cl_test_util.h>

#include <engram/cl/cls_sleep.h>
#include <engram/models/circuits/complementary_learning_system.h>
#include <support/error_message.h>
#include <support/module_contract.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace circuits = engram::models::circuits;
using circuits::ComplementaryLearningSystem;
using circuits::ComplementaryLearningSystemOptions;

namespace {

// Paired-associate lists: stimulus A_i with a list context -> response.
struct Lists {
  at::Tensor ab_x, ab_y, ac_x, ac_y;
};

Lists ab_ac_lists(int64_t items, int64_t stimulus_size, int64_t context_size, int64_t responses) {
  const at::Tensor a = torch::randn({items, stimulus_size});
  const at::Tensor ctx_b = torch::randn({1, context_size}).expand({items, context_size});
  const at::Tensor ctx_c = torch::randn({1, context_size}).expand({items, context_size});
  return {torch::cat({a, ctx_b}, 1), torch::randint(responses, {items}, torch::kLong),
          torch::cat({a, ctx_c}, 1), torch::randint(responses, {items}, torch::kLong)};
}

TEST(ComplementaryLearning, InterleavedReplayPreventsABACInterference) {
  at::set_num_threads(1);
  double ab_focused = 0, ab_interleaved = 0, ac_focused = 0, ac_interleaved = 0;
  for (bool interleaved : {false, true}) {
    torch::manual_seed(11);
    const Lists l = ab_ac_lists(12, 20, 10, 8);
    ComplementaryLearningSystem cls(ComplementaryLearningSystemOptions(30, 8).hidden(64));
    cls->train_cortex(l.ab_x, l.ab_y, 400); // the AB list is learned first
    ASSERT_GT(cls->accuracy(l.ab_x, l.ab_y, /*system=*/false), 0.99);
    if (interleaved) {
      cls->encode(l.ab_x, l.ab_y);
      cls->encode(l.ac_x, l.ac_y);
      cls->sleep(800); // AC learned interleaved with replayed AB episodes
    } else {
      cls->train_cortex(l.ac_x, l.ac_y, 400); // AC learned alone
    }
    (interleaved ? ab_interleaved : ab_focused) = cls->accuracy(l.ab_x, l.ab_y, false);
    (interleaved ? ac_interleaved : ac_focused) = cls->accuracy(l.ac_x, l.ac_y, false);
  }
  std::printf("AB-AC: AB kept %.2f focused vs %.2f interleaved; AC %.2f vs %.2f\n", ab_focused,
              ab_interleaved, ac_focused, ac_interleaved);
  EXPECT_LT(ab_focused, 0.5); // catastrophic interference
  EXPECT_GT(ab_interleaved, 0.9);
  EXPECT_GT(ac_focused, 0.9);
  EXPECT_GT(ac_interleaved, 0.9);
}

TEST(ComplementaryLearning, LesionSparesConsolidatedMemoriesAndLosesRecentOnes) {
  at::set_num_threads(1);
  torch::manual_seed(12);
  const int64_t days = 5, per_day = 8;
  ComplementaryLearningSystem cls(
      ComplementaryLearningSystemOptions(40, 10).hidden(64).cortex_learning_rate(0.05));
  std::vector<at::Tensor> xs, ys;
  for (int64_t d = 0; d < days; ++d) {
    xs.push_back(torch::randn({per_day, 40}));
    ys.push_back(torch::randint(10, {per_day}, torch::kLong));
    cls->encode(xs.back(), ys.back());
    if (d + 1 < days)
      cls->sleep(150); // the night after day d; the last day's items get no sleep
  }
  for (int64_t d = 0; d < days; ++d)
    EXPECT_DOUBLE_EQ(cls->accuracy(xs[d], ys[d]), 1.0); // the intact system recalls everything
  cls->lesion();
  EXPECT_EQ(cls->stored(), 0);
  std::vector<double> after;
  for (int64_t d = 0; d < days; ++d) {
    after.push_back(cls->accuracy(xs[d], ys[d]));
    std::printf("lesion: items of day %lld (%lld nights of sleep) %.2f\n",
                static_cast<long long>(d), static_cast<long long>(days - 1 - d), after.back());
  }
  EXPECT_GT(after[0], 0.85);       // four nights of consolidation: lesion costs little
  EXPECT_LT(after[days - 1], 0.5); // encoded just before the lesion: lost
  EXPECT_GT(after[0] + after[1], after[days - 2] + after[days - 1] + 0.5); // graded by age
}

TEST(ComplementaryLearning, OptionRangesAndContract) {
  using O = ComplementaryLearningSystemOptions;
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(0, 2)), "input_size");
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(4, 1)), "num_responses");
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(4, 2).hidden(0)), "hidden");
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(4, 2).store_capacity(0)), "store_capacity");
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(4, 2).cortex_learning_rate(0)),
                        "cortex_learning_rate");
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(4, 2).batch_size(0)), "batch_size");
  EXPECT_ERROR_MENTIONS(ComplementaryLearningSystem(O(4, 2).recall_sharpness(0)),
                        "recall_sharpness");
  torch::manual_seed(13);
  ComplementaryLearningSystem cls(O(4, 3).store_capacity(4));
  EXPECT_ERROR_MENTIONS(cls->encode(torch::randn({2, 5}), torch::zeros({2}, torch::kLong)), "x");
  EXPECT_ERROR_MENTIONS(cls->encode(torch::randn({2, 4}), torch::full({2}, 3, torch::kLong)), "y");
  EXPECT_ERROR_MENTIONS(cls->encode(torch::randn({5, 4}), torch::zeros({5}, torch::kLong)),
                        "cannot take");
  const at::Tensor x = torch::randn({3, 4});
  cls->encode(x, torch::tensor({0, 1, 2}, torch::kLong));
  auto copy = engram::testing::expect_deep_clone(cls, "ComplementaryLearningSystem");
  EXPECT_TRUE(copy->forward(x).equal(cls->forward(x)));
  ComplementaryLearningSystem fresh(O(4, 3).store_capacity(4));
  engram::testing::expect_save_load(cls, fresh, "ComplementaryLearningSystem");
  EXPECT_TRUE(fresh->forward(x).equal(cls->forward(x)));
}

// --- the cls-sleep strategy on the trainer's streams ------------------------------------------
engram::train::TrainerConfig config() {
  engram::train::TrainerConfig c;
  c.iterations = 300;
  c.batch_size = 32;
  c.lr = 1e-3;
  c.seed = 7;
  return c;
}

TEST(ClsSleepStrategy, ForgetsLessThanNaiveOnTwoPermutedTasks) {
  const auto stream = engram::testing::two_task_stream();
  const auto naive = engram::testing::run_strategy(stream, "naive", {}, config());
  const auto cls = engram::testing::run_strategy(
      stream, "cls-sleep", {{"buffer_size", 200}, {"sleep_iterations", 150}}, config());
  std::printf("naive BWT %.3f ACC %.3f; cls-sleep BWT %.3f ACC %.3f\n", naive.metrics.bwt,
              naive.metrics.acc, cls.metrics.bwt, cls.metrics.acc);
  ASSERT_LT(naive.metrics.bwt, -0.25);
  EXPECT_GT(cls.metrics.bwt, naive.metrics.bwt + 0.1);
  EXPECT_GT(cls.metrics.acc, naive.metrics.acc);
}

TEST(ClsSleepStrategy, RegisteredWithRangesAndSleepsAfterEachTask) {
  EXPECT_ERROR_MENTIONS(engram::cl::make_strategy("cls-sleep", {{"recent_fraction", 1.5}}),
                        "recent_fraction");
  EXPECT_ERROR_MENTIONS(engram::cl::make_strategy("cls-sleep", {{"wake_weight", -1}}),
                        "wake_weight");
  EXPECT_ERROR_MENTIONS(engram::cl::make_strategy("cls-sleep", {{"sleep_batch_size", 0}}),
                        "sleep_batch_size");
  const auto stream = engram::testing::two_task_stream();
  auto cfg = config();
  cfg.iterations = 20;
  auto strategy = engram::cl::make_strategy("cls-sleep", {{"sleep_iterations", 7}}, cfg.seed);
  const auto preset = engram::testing::small_mlp_preset();
  engram::train::run_continual(
      stream, *strategy,
      [&] {
        return engram::models::build_network(preset, stream.input_dim(), stream.num_outputs());
      },
      cfg);
  const auto& s = dynamic_cast<const engram::cl::ClsSleepStrategy&>(*strategy);
  EXPECT_EQ(s.sleep_steps_done(), 14); // one sleep of 7 steps after each of the two tasks
  // Every awake sample was offered to the store; a sample drawn again while the store holds it is
  // not stored (nor counted) twice, so fewer than the 2 * 20 * 32 draws count, but most do.
  EXPECT_LE(s.store().seen(), 2 * 20 * 32);
  EXPECT_GT(s.store().seen(), 2 * 20 * 32 / 2);
}

} // namespace
