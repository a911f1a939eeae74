#pragma once
// Dark Experience Replay (Buzzega et al. 2020, "Dark Experience for General Continual Learning: a
// Strong, Simple Baseline"; as in Mammoth's models/der.py). A reservoir buffer keeps the inputs of
// the stream together with the logits the model gave them in the training step that stored them.
// Each step adds the logit-matching term on a replay minibatch drawn from the buffer:
//   loss = CE(current batch) + alpha * MSE(f(x_buf), z_buf)
// where z_buf are the stored logits (every output unit) and MSE averages over samples and units.
#include <engram/cl/logit_reservoir.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct DerOptions {
  /// Samples the reservoir buffer holds (inputs with their logits).
  TORCH_ARG(int64_t, buffer_size) = 500;
  /// Weight alpha of the MSE between the current and the stored logits.
  TORCH_ARG(double, alpha) = 0.3;
  /// Samples of the replay minibatch; 0 means as many as the current batch.
  TORCH_ARG(int64_t, replay_batch) = 0;
};

// The replay minibatch size of `option` (0: the current batch's size).
inline int64_t replay_batch_size(int64_t option, int64_t current) {
  return option > 0 ? option : current;
}

// alpha * MSE(f(x), z) of a replay sample drawn from `buffer` (zero when it is empty).
at::Tensor logit_replay_loss(StrategyContext& ctx, const LogitReservoir& buffer, int64_t n,
                             double alpha, const at::Tensor& like);

class DerStrategy : public StrategyWithOptions<DerOptions> {
public:
  explicit DerStrategy(DerOptions options = {});
  std::string name() const override { return "der"; }
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  const LogitReservoir& buffer() const { return buffer_; }

private:
  LogitReservoir buffer_;
  LogitSample pending_; // the current batch and its logits, stored after the optimizer step
};
} // namespace engram::cl
