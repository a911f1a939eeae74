#pragma once
// The interface every continual-learning strategy implements. The trainer (engram/train) calls the
// hooks in this order:
//   begin                      once, before anything is evaluated or trained
//   for each task:
//     before_task
//     for each iteration:
//       compose_batch          replay: mix stored samples into the current batch
//       forward (context_gates: XdG's per-task gating of hidden units)
//       before_backward        penalties and distillation: returns the loss to minimise
//       backward
//       after_backward         gradient projection (A-GEM)
//       optimizer step
//       after_step             path integrals (SI), buffer updates (replay)
//     after_task               importance estimates (EWC), snapshots (LwF), memories (A-GEM)
//   evaluation: prediction_scores (iCaRL's nearest-mean-of-exemplars), else the model's logits
// State that must survive a checkpoint is written by save() and read back by load().

#include <engram/cl/strategy_option.h>
#include <engram/data/stream.h>
#include <engram/models/network.h>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace torch::optim {
class Optimizer;
}
namespace torch::serialize {
class OutputArchive;
class InputArchive;
} // namespace torch::serialize

namespace engram::cl {

// A training batch. `task` is the task each sample comes from (replayed samples keep theirs), which
// decides its active output units under the scenario and its context gates.
struct Batch {
  at::Tensor x;    // float32 [B, D]
  at::Tensor y;    // int64 [B] output unit
  at::Tensor task; // int64 [B]
  int64_t size() const { return x.size(0); }
};

Batch concat_batches(const Batch& a, const Batch& b);

// What a strategy sees of the run. Owned by the trainer.
struct StrategyContext {
  models::Network model{nullptr};
  torch::optim::Optimizer* optimizer = nullptr;
  const data::Stream* stream = nullptr;        // on `device`
  c10::Device device = c10::Device(c10::kCPU); // of the model, the stream and `generator`
  int64_t task = 0;                            // current task
  int64_t iteration = 0;                       // within the current task
  int64_t batch_size = 0;                      // of the current-task part of a batch
  at::Generator generator; // a CPU generator on every device: the same draws wherever it runs
  // `t` (drawn with `generator`) on `device`, sent without waiting for the device.
  at::Tensor to_device(const at::Tensor& t) const {
    return t.to(at::TensorOptions().device(device), /*non_blocking=*/true);
  }
  // Logits of the model for `x` from tasks `task` (context gates applied).
  std::function<at::Tensor(const at::Tensor& x, const at::Tensor& task)> forward;
  // Mean cross-entropy of `batch` over each sample's active output units, at the current task.
  std::function<at::Tensor(const Batch& batch)> loss;
  // A new network of the same architecture (weights to be copied in).
  std::function<models::Network()> make_model;
};

class Strategy {
public:
  virtual ~Strategy() = default;

  virtual std::string name() const = 0;
  // Empty when the strategy applies to the scenario, else why not.
  virtual std::string unsupported_reason(data::Scenario) const { return ""; }

  virtual void begin(StrategyContext&) {}
  virtual void before_task(StrategyContext&, const data::Task&) {}
  virtual Batch compose_batch(StrategyContext&, Batch current) { return current; }
  virtual std::vector<at::Tensor> context_gates(const at::Tensor& /*task*/) const { return {}; }
  virtual at::Tensor before_backward(StrategyContext&, const Batch&, const at::Tensor& /*logits*/,
                                     at::Tensor loss) {
    return loss;
  }
  virtual void after_backward(StrategyContext&, const Batch&) {}
  virtual void after_step(StrategyContext&, const Batch&) {}
  virtual void after_task(StrategyContext&, const data::Task&) {}
  // The scores evaluation predicts from for inputs `x` of tasks `task`: [B, num_outputs], the
  // prediction being the highest-scoring active unit. Undefined (the default) means the model's
  // logits; iCaRL returns its nearest-mean-of-exemplars scores.
  virtual at::Tensor prediction_scores(models::NetworkImpl& /*model*/, const at::Tensor& /*x*/,
                                       const at::Tensor& /*task*/) const {
    return {};
  }

  virtual void save(torch::serialize::OutputArchive&) const {}
  virtual void load(torch::serialize::InputArchive&) {}

  // Its typed options by name, as results and checkpoints record them (read through the strategy
  // registry; empty for a strategy whose name() is not registered).
  OptionValues hyperparameters() const;
};

// A strategy with a typed options struct (LibTorch style: TORCH_ARG fields, public `options`).
// Strategies without options use NoOptions.
template <typename OptionsType>
class StrategyWithOptions : public Strategy {
public:
  using Options = OptionsType;
  explicit StrategyWithOptions(Options options_ = {}) : options(std::move(options_)) {}
  Options options;
};

struct NoOptions {};

} // namespace engram::cl
