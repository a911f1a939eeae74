// ER-ACE: the incoming batch's cross-entropy ignores the classes absent from it (checked against a
// hand computation), so absent classes' logits receive no gradient from it.
#include <engram/cl/er_ace.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

namespace engram::cl {
namespace {

TEST(ErAce, IncomingLossIsTheCrossEntropyOverThePresentClasses) {
  const std::vector<std::vector<double>> z = {
      {1.0, 2.0, -0.5, 3.0, 0.0}, {0.2, -1.0, 1.5, 2.5, 0.3}, {-0.7, 0.4, 0.9, -2.0, 1.1}};
  const std::vector<int64_t> y = {0, 2, 2}; // classes 1, 3 and 4 absent
  double hand = 0;
  for (size_t i = 0; i < z.size(); ++i) {
    const double norm = std::log(std::exp(z[i][0]) + std::exp(z[i][2]));
    hand += norm - z[i][static_cast<size_t>(y[i])];
  }
  hand /= 3;
  at::Tensor logits =
      at::tensor({1.0, 2.0, -0.5, 3.0, 0.0, 0.2, -1.0, 1.5, 2.5, 0.3, -0.7, 0.4, 0.9, -2.0, 1.1},
                 at::kDouble)
          .view({3, 5})
          .requires_grad_();
  const at::Tensor targets = at::tensor(y, at::kLong);
  const at::Tensor active = at::ones({3, 5}, at::kBool);
  const at::Tensor loss = asymmetric_cross_entropy(logits, targets, active);
  EXPECT_NEAR(loss.item<double>(), hand, 1e-12);
  loss.backward();
  for (int64_t absent : {1, 3, 4})
    EXPECT_TRUE(at::all(logits.grad().select(1, absent) == 0).item<bool>())
        << "class " << absent << " is absent from the batch and gets no gradient";
  // Inactive units stay out even when present elsewhere: unit 2 inactive for sample 0.
  at::Tensor partial = active.clone();
  partial[0][2] = false;
  const at::Tensor l2 = asymmetric_cross_entropy(logits.detach(), targets, partial);
  const double hand0 = 0.0; // sample 0 competes over unit 0 alone
  const double hand12 = (std::log(std::exp(z[1][0]) + std::exp(z[1][2])) - z[1][2]) +
                        (std::log(std::exp(z[2][0]) + std::exp(z[2][2])) - z[2][2]);
  EXPECT_NEAR(l2.item<double>(), (hand0 + hand12) / 3, 1e-12);
}

TEST(ErAce, FirstTaskKeepsTheOrdinaryLossLaterTasksReplay) {
  data::Task t0, t1;
  t1.id = 1;
  const at::Tensor images = at::rand({6, 2});
  for (data::Task* t : {&t0, &t1}) {
    t->train.images = images;
    t->train.indices = at::arange(6, at::kLong);
    t->train.targets = at::tensor({0, 1, 0, 1, 0, 1}, at::kLong) + 2 * t->id;
    t->test = t->train;
    t->units = {2 * t->id, 2 * t->id + 1};
  }
  const data::Stream stream("s", data::Scenario::kClass, 2, 4, {t0, t1});
  StrategyContext ctx;
  ctx.stream = &stream;
  ctx.generator = at::make_generator<at::CPUGeneratorImpl>(1);
  const at::Tensor w = at::randn({2, 4});
  ctx.forward = [&](const at::Tensor& x, const at::Tensor&) { return at::matmul(x, w); };
  ctx.loss = [&](const Batch& b) { return at::cross_entropy_loss(ctx.forward(b.x, b.task), b.y); };
  ErAceStrategy ace(ErAceOptions().buffer_size(10).replay_batch(3));
  const Batch b0{images.narrow(0, 0, 3), at::tensor({0, 1, 0}, at::kLong),
                 at::zeros({3}, at::kLong)};
  const at::Tensor base = at::tensor(0.75f);
  ace.compose_batch(ctx, b0);
  EXPECT_TRUE(at::equal(ace.before_backward(ctx, b0, ctx.forward(b0.x, b0.task), base), base));
  ace.after_step(ctx, b0);
  EXPECT_EQ(ace.buffer().size(), 3);

  ctx.task = 1;
  const Batch b1{images.narrow(0, 3, 3), at::tensor({2, 2, 3}, at::kLong),
                 at::ones({3}, at::kLong)};
  ace.compose_batch(ctx, b1);
  const at::Tensor logits = ctx.forward(b1.x, b1.task);
  const at::Tensor loss = ace.before_backward(ctx, b1, logits, base);
  // The incoming part over units {2, 3}; the replayed part is the full CE of three stored samples
  // drawn with replacement: between the smallest and largest per-sample CE of the stored ones.
  const at::Tensor incoming =
      at::cross_entropy_loss(logits.index_select(1, at::tensor({2, 3}, at::kLong)), b1.y - 2);
  const at::Tensor stored =
      at::cross_entropy_loss(ctx.forward(b0.x, b0.task), b0.y, {}, at::Reduction::None);
  const double replayed = loss.item<double>() - incoming.item<double>();
  EXPECT_GE(replayed, stored.min().item<double>() - 1e-6);
  EXPECT_LE(replayed, stored.max().item<double>() + 1e-6);
}

} // namespace
} // namespace engram::cl
