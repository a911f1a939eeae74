#pragma once
// Experience replay with asymmetric cross-entropy (ER-ACE; Caccia et al. 2022, "New Insights on
// Reducing Abrupt Representation Change in Online Continual Learning"; as in Mammoth's
// models/er_ace.py). From the second task on, the incoming batch's cross-entropy is taken over
// the output units of the classes present in that batch only, so that new classes do not push the
// logits of absent (old) classes down; a replay minibatch from a reservoir buffer adds the full
// cross-entropy over its active units:
//   loss = CE_present(current batch) + CE(replay minibatch).
// On the first task the incoming loss is the ordinary one, as in the reference. Mammoth also keeps
// the units of classes not yet seen in the incoming softmax; here those units are inactive in
// every scenario (the trainer's masking), so the incoming softmax is over the present classes.
#include <engram/cl/reservoir_buffer.h>
#include <engram/cl/strategy.h>

#include <torch/arg.h>

namespace engram::cl {

struct ErAceOptions {
  /// Samples the reservoir buffer holds.
  TORCH_ARG(int64_t, buffer_size) = 500;
  /// Samples of the replay minibatch; 0 means as many as the current batch.
  TORCH_ARG(int64_t, replay_batch) = 0;
};

// Mean cross-entropy of `logits` [B, O] for `targets` [B] over the units in `active` (bool
// [B, O]) that are also the target of some sample of the batch.
at::Tensor asymmetric_cross_entropy(const at::Tensor& logits, const at::Tensor& targets,
                                    const at::Tensor& active);

class ErAceStrategy : public StrategyWithOptions<ErAceOptions> {
public:
  explicit ErAceStrategy(ErAceOptions options = {});
  std::string name() const override { return "er-ace"; }
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
  at::Tensor before_backward(StrategyContext& ctx, const Batch& batch, const at::Tensor& logits,
                             at::Tensor loss) override;
  void after_step(StrategyContext& ctx, const Batch& batch) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  const ReservoirBuffer& buffer() const { return buffer_; }

private:
  ReservoirBuffer buffer_;
  Batch pending_; // the current batch as drawn (before augmentation), stored after the step
};
} // namespace engram::cl
