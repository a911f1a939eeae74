// On a small two-task stream where naive fine-tuning forgets, EWC, SI and replay each forget less.
#include <cl/cl_test_util.h>

#include <gtest/gtest.h>

namespace engram {
namespace {

train::TrainerConfig config() {
  train::TrainerConfig c;
  c.iterations = 300;
  c.batch_size = 32;
  c.lr = 1e-3;
  c.seed = 7;
  return c;
}

class Forgetting : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    stream_ = new data::Stream(testing::two_task_stream());
    naive_ = new train::RunResult(testing::run_strategy(*stream_, "naive", {}, config()));
  }
  static void TearDownTestSuite() {
    delete stream_;
    delete naive_;
  }
  static data::Stream* stream_;
  static train::RunResult* naive_;
};
data::Stream* Forgetting::stream_ = nullptr;
train::RunResult* Forgetting::naive_ = nullptr;

TEST_F(Forgetting, NaiveLearnsEachTaskThenForgetsTheFirst) {
  const auto& R = naive_->accuracy;
  EXPECT_GT(R[0][0], 0.85);
  EXPECT_GT(R[1][1], 0.85);
  EXPECT_LT(naive_->metrics.bwt, -0.25)
      << "the fixture must forget for the comparison to mean anything";
}

void expect_less_forgetting(const train::RunResult& naive, const train::RunResult& r,
                            const char* name, double margin = 0.1) {
  std::cout << name << ": R=" << r.accuracy[0][0] << " " << r.accuracy[1][0] << " "
            << r.accuracy[1][1] << " BWT " << r.metrics.bwt << " vs naive " << naive.metrics.bwt
            << "\n";
  EXPECT_GT(r.metrics.bwt, naive.metrics.bwt + margin)
      << name << " should forget at least " << 100 * margin << " points less than naive";
  EXPECT_GT(r.accuracy[1][1], 0.6) << name << " should still learn the second task";
}

TEST_F(Forgetting, EwcForgetsLess) {
  expect_less_forgetting(
      *naive_, testing::run_strategy(*stream_, "ewc", {{"lambda", 1000}}, config()), "ewc");
}

TEST_F(Forgetting, OnlineEwcForgetsLess) {
  expect_less_forgetting(
      *naive_, testing::run_strategy(*stream_, "online-ewc", {{"lambda", 1000}}, config()),
      "online-ewc");
}

TEST_F(Forgetting, SiForgetsLess) {
  expect_less_forgetting(*naive_, testing::run_strategy(*stream_, "si", {{"c", 10}}, config()),
                         "si");
}

TEST_F(Forgetting, ReplayForgetsLess) {
  expect_less_forgetting(
      *naive_, testing::run_strategy(*stream_, "replay", {{"buffer_size", 200}}, config()),
      "replay");
}

TEST_F(Forgetting, AgemForgetsLess) {
  expect_less_forgetting(
      *naive_, testing::run_strategy(*stream_, "agem", {{"buffer_size", 400}}, config()), "agem");
}

TEST_F(Forgetting, LwfForgetsLess) {
  expect_less_forgetting(*naive_, testing::run_strategy(*stream_, "lwf", {}, config()), "lwf");
}

TEST_F(Forgetting, JointForgetsLeast) {
  expect_less_forgetting(*naive_, testing::run_strategy(*stream_, "joint", {}, config()), "joint");
}

} // namespace
} // namespace engram
