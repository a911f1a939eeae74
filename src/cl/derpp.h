#pragma once
// DER++ (Buzzega et al. 2020; as in Mammoth's models/derpp.py): Dark Experience Replay plus the
// labels. Besides DER's logit term on one replay minibatch, a second, independently drawn replay
// minibatch adds the cross-entropy of its stored labels:
//   loss = CE(current) + alpha * MSE(f(x'), z') + beta * CE(f(x''), y'')
// The cross-entropy of replayed samples is over their active units at the current task.
#include <engram/cl/logit_reservoir.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct DerppOptions {
  /// Samples the reservoir buffer holds (inputs with their labels and logits).
  TORCH_ARG(int64_t, buffer_size) = 500;
  /// Weight alpha of the MSE between the current and the stored logits.
  TORCH_ARG(double, alpha) = 0.1;
  /// Weight beta of the cross-entropy of the second replay minibatch's labels.
  TORCH_ARG(double, beta) = 0.5;
  /// Samples of each replay minibatch; 0 means as many as the current batch.
  TORCH_ARG(int64_t, replay_batch) = 0;
};

class DerppStrategy : public StrategyWithOptions<DerppOptions> {
public:
  explicit DerppStrategy(DerppOptions options = {});
  std::string name() const override { return "derpp"; }
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  const LogitReservoir& buffer() const { return buffer_; }

private:
  LogitReservoir buffer_;
  LogitSample pending_;
};
} // namespace engram::cl
