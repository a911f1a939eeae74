#pragma once
// The network a continual-learning run trains: a body of layers built from a preset, then a linear
// head over all output units of the stream. Gate points (after each hidden activation) let a
// strategy multiply hidden units by task-specific context gates (XdG).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

namespace engram::models {

struct NetworkLayer {
  std::string type;
  torch::nn::AnyModule module;
  int64_t out_features = 0;
  bool gate_point = false; // context gates may be applied to this layer's output
};

class NetworkImpl : public torch::nn::Module {
public:
  NetworkImpl(std::vector<NetworkLayer> body, int64_t in_features, int64_t num_outputs);

  // x: [B, in_features]. gates: empty, or one per gate point, each [B, width] or [width].
  at::Tensor forward(const at::Tensor& x, const std::vector<at::Tensor>& gates = {});
  // The body's output [B, width], the input of the linear head.
  at::Tensor features(const at::Tensor& x, const std::vector<at::Tensor>& gates = {});
  // The linear head (readout strategies set its weights themselves).
  torch::nn::Linear& head() { return head_; }

  // Widths of the gate points, in order.
  std::vector<int64_t> gate_widths() const;
  int64_t in_features() const { return in_features_; }
  int64_t num_outputs() const { return num_outputs_; }
  void pretty_print(std::ostream& stream) const override;

private:
  std::vector<NetworkLayer> body_;
  torch::nn::Linear head_{nullptr};
  int64_t in_features_;
  int64_t num_outputs_;
};
TORCH_MODULE(Network);

// Copies every parameter and buffer of `from` into `to` (same architecture).
void copy_network_state(const NetworkImpl& from, NetworkImpl& to);

} // namespace engram::models
