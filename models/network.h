#pragma once
// The network a continual-learning run trains: a body of layers built from a preset, then a linear
// head over all output units of the stream. Gate points (after each hidden activation) let a
// strategy multiply hidden units by task-specific context gates (XdG).
//
// Layers see per-sample shapes: [features] for fully connected layers, [C, H, W] for convolutional
// ones. The input shape comes from the benchmark (e.g. [1, 28, 28] or [3, 32, 32]); a flat input
// [B, C*H*W] is viewed as [B, C, H, W] when the first layer wants images. The head reads the
// body's output flattened.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace engram::models {

// A per-sample shape: [features] or [C, H, W].
using Shape = std::vector<int64_t>;
// "[3, 32, 32]"
std::string shape_string(const Shape& shape);
// Product of the sizes.
int64_t shape_numel(const Shape& shape);

struct NetworkLayer {
  NetworkLayer() = default;
  NetworkLayer(std::string type_, torch::nn::AnyModule module_, int64_t out_features_,
               bool gate_point_, Shape out_shape_ = {})
      : type(std::move(type_)), module(std::move(module_)), out_features(out_features_),
        gate_point(gate_point_), out_shape(std::move(out_shape_)) {}

  std::string type;
  torch::nn::AnyModule module;
  int64_t out_features = 0; // number of output units per sample (the product of out_shape)
  bool gate_point = false;  // context gates may be applied to this layer's output
  Shape out_shape;          // per-sample output shape; empty means [out_features]
};

// A module whose behaviour depends on the task being trained (e.g. ContinualBatchNorm2d freezing
// its statistics after the first task). Network::begin_task calls every such submodule.
class TaskBoundaryHook {
public:
  virtual ~TaskBoundaryHook() = default;
  // Called before task `task` (0-based) is trained, also when a run resumes at that task.
  virtual void begin_task(int64_t task) = 0;
};

// How the linear head computes the logits when a learning rule replaces its backward pass
// (engram/train/learning_rule.h: feedback alignment and its kin). The head's parameters stay the
// Network's own (`head()`); a rule module holds only its feedback matrices, as buffers.
class HeadRule : public torch::nn::Module {
public:
  // features: [B, width] -> logits [B, num_outputs], with `head`'s weight and bias.
  virtual at::Tensor forward(torch::nn::Linear& head, const at::Tensor& features) = 0;
};

// A torch::nn::Linear of the network (a body layer or the head) as one forward ran it: its
// parameters, its 2-D input [B, in] and its output [B, out] (in the autograd graph), from which
// per-sample gradients of the layer's parameters follow without per-sample passes (the Fisher).
struct LinearActivation {
  at::Tensor weight, bias; // bias undefined when the layer has none
  at::Tensor input, output;
};

class NetworkImpl : public torch::nn::Module {
public:
  // A body over flat inputs [B, in_features].
  NetworkImpl(std::vector<NetworkLayer> body, int64_t in_features, int64_t num_outputs);
  // A body whose first layer sees inputs of `input_shape` per sample.
  NetworkImpl(std::vector<NetworkLayer> body, Shape input_shape, int64_t num_outputs);

  // x: [B, in_features] or [B, input_shape...]. gates: empty, or one per gate point, each
  // [B, width] or [width] (width = the gate point's out_features).
  at::Tensor forward(const at::Tensor& x, const std::vector<at::Tensor>& gates = {});
  // The body's output [B, width], the input of the linear head.
  at::Tensor features(const at::Tensor& x, const std::vector<at::Tensor>& gates = {});
  // The linear head (readout strategies set its weights themselves).
  torch::nn::Linear& head() { return head_; }
  // The head's backward pass under a learning rule; registered as the submodule "head_rule" (its
  // buffers are saved, loaded and moved with the network). Set once, before training.
  void set_head_rule(std::shared_ptr<HeadRule> rule);
  // nullptr: the head learns by backprop.
  HeadRule* head_rule() const { return head_rule_.get(); }

  // Widths of the gate points, in order.
  std::vector<int64_t> gate_widths() const;
  int64_t in_features() const { return in_features_; }
  const Shape& input_shape() const { return input_shape_; }
  // Tells every TaskBoundaryHook submodule that task `task` is about to be trained.
  void begin_task(int64_t task);
  int64_t num_outputs() const { return num_outputs_; }
  // While `records` is set (not null), every forward appends one LinearActivation per Linear layer
  // it runs on a 2-D input; nullptr stops the recording. Not copied, saved or cloned.
  void record_linear_activations(std::vector<LinearActivation>* records) {
    linear_records_ = records;
  }
  void pretty_print(std::ostream& stream) const override;

private:
  std::vector<NetworkLayer> body_;
  torch::nn::Linear head_{nullptr};
  std::shared_ptr<HeadRule> head_rule_;
  int64_t in_features_;
  Shape input_shape_;
  int64_t num_outputs_;
  std::vector<LinearActivation>* linear_records_ = nullptr;
  void record_linear(const torch::nn::Module& module, const at::Tensor& in, const at::Tensor& out);
};
TORCH_MODULE(Network);

// Copies every parameter and buffer of `from` into `to` (same architecture).
void copy_network_state(const NetworkImpl& from, NetworkImpl& to);

} // namespace engram::models
