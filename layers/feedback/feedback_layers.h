#pragma once
// Layers that learn through a feedback pathway other than the transpose of their weights: the
// per-layer learning rules of engram/train/learning_rule.h for linear and conv2d layers, and the
// network head under the same rules.
//   kRandom           feedback alignment (Lillicrap et al. 2016): a fixed random B (a buffer,
//                     Xavier-uniform) replaces W in the input gradient;
//   kSign             uSF (Liao et al. 2016, BioTorch's name): sign(W);
//   kSignBatchRandom  brSF: |M| ∘ sign(W), M Xavier-uniform, redrawn at every training forward
//                     pass (from LibTorch's default generator);
//   kSignFixedRandom  frSF: |M| ∘ sign(W), M drawn once (a buffer);
//   kDirect           direct feedback alignment (Nøkland 2016): the layer's input gradient is the
//                     network's output error e projected by a fixed random F [K, input units]
//                     (a buffer), so the layer below receives F e through its activation:
//                     δ = (F e) ⊙ f'. The output error comes from a FeedbackHead of kind kDirect
//                     sharing the layer's OutputError slot (connect_output_error).
// Weight and bias gradients are backprop's (δᵀ x) in every kind. Weights are initialised as
// LibTorch's Linear and Conv2d do.

#include <engram/layers/feedback/feedback_functions.h>
#include <engram/models/network.h>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <ostream>
#include <string>

namespace engram::layers {

enum class FeedbackKind { kRandom, kSign, kSignBatchRandom, kSignFixedRandom, kDirect };
// "fa", "usf", "brsf", "frsf", "dfa": the learning rules' names.
const char* to_string(FeedbackKind kind);

struct FeedbackLinearOptions {
  FeedbackLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  /// Input units (>= 1).
  TORCH_ARG(int64_t, in_features);
  /// Output units (>= 1).
  TORCH_ARG(int64_t, out_features);
  /// Whether the layer has a bias.
  TORCH_ARG(bool, bias) = true;
  /// The feedback pathway of the backward pass.
  TORCH_ARG(FeedbackKind, feedback) = FeedbackKind::kRandom;
  /// Output units of the network whose error kDirect projects (>= 1 for kDirect, else unused).
  TORCH_ARG(int64_t, num_outputs) = 0;
};

class FeedbackLinearImpl : public torch::nn::Cloneable<FeedbackLinearImpl> {
public:
  explicit FeedbackLinearImpl(const FeedbackLinearOptions& options);
  void reset() override;
  void reset_parameters();
  // x: [B, in_features] -> [B, out_features].
  at::Tensor forward(const at::Tensor& x);
  // The matrix the next backward pass uses in place of W (not for kDirect): B, sign(W), or
  // |M| ∘ sign(W) (kSignBatchRandom: a new M at every call).
  at::Tensor backward_weight() const;
  // Shares the network's output-error slot (kDirect).
  void connect_output_error(OutputError slot) { output_error_ = std::move(slot); }
  void pretty_print(std::ostream& stream) const override;

  FeedbackLinearOptions options;
  at::Tensor weight, bias;
  // kRandom: B [out, in]; kSignFixedRandom: |M| [out, in]; kDirect: F [num_outputs, in];
  // undefined for kSign and kSignBatchRandom.
  at::Tensor feedback;

private:
  OutputError output_error_ = make_output_error();
};
TORCH_MODULE(FeedbackLinear);

struct FeedbackConv2dOptions {
  FeedbackConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_(kernel) {}
  /// Channels of the [B, C, H, W] input (>= 1).
  TORCH_ARG(int64_t, in_channels);
  /// Channels of the output (>= 1).
  TORCH_ARG(int64_t, out_channels);
  /// Side of the square kernel (>= 1).
  TORCH_ARG(int64_t, kernel);
  /// Step between kernel positions (>= 1).
  TORCH_ARG(int64_t, stride) = 1;
  /// Zeros added on each side of the input (>= 0).
  TORCH_ARG(int64_t, padding) = 0;
  /// Whether the layer has a bias.
  TORCH_ARG(bool, bias) = true;
  /// The feedback pathway of the backward pass.
  TORCH_ARG(FeedbackKind, feedback) = FeedbackKind::kRandom;
  /// Output units of the network whose error kDirect projects (>= 1 for kDirect, else unused).
  TORCH_ARG(int64_t, num_outputs) = 0;
  /// Input height and width (>= 1 for kDirect: F has in_channels * height * width columns).
  TORCH_ARG(int64_t, input_height) = 0;
  TORCH_ARG(int64_t, input_width) = 0;
};

class FeedbackConv2dImpl : public torch::nn::Cloneable<FeedbackConv2dImpl> {
public:
  explicit FeedbackConv2dImpl(const FeedbackConv2dOptions& options);
  void reset() override;
  void reset_parameters();
  // x: [B, in_channels, H, W] -> [B, out_channels, H', W'].
  at::Tensor forward(const at::Tensor& x);
  // As FeedbackLinear's, of the shape of the kernel [out, in, k, k] (not for kDirect).
  at::Tensor backward_weight() const;
  void connect_output_error(OutputError slot) { output_error_ = std::move(slot); }
  void pretty_print(std::ostream& stream) const override;

  FeedbackConv2dOptions options;
  at::Tensor weight, bias;
  // kRandom: B (kernel shape); kSignFixedRandom: |M| (kernel shape); kDirect:
  // F [num_outputs, in_channels * H * W]; undefined for kSign and kSignBatchRandom.
  at::Tensor feedback;

private:
  OutputError output_error_ = make_output_error();
};
TORCH_MODULE(FeedbackConv2d);

struct FeedbackHeadOptions {
  FeedbackHeadOptions(int64_t in_features, int64_t num_outputs)
      : in_features_(in_features), num_outputs_(num_outputs) {}
  /// Width of the head's input (>= 1).
  TORCH_ARG(int64_t, in_features);
  /// Output units (>= 1).
  TORCH_ARG(int64_t, num_outputs);
  /// The feedback pathway of the backward pass. kDirect: the head's feedback to the last hidden
  /// layer is a fixed random F [num_outputs, in_features] (as kRandom), and the head keeps the
  /// output error for the kDirect layers below.
  TORCH_ARG(FeedbackKind, feedback) = FeedbackKind::kRandom;
};

// The network head under a feedback rule (models::HeadRule): the head's own weight and bias, with
// this module's feedback matrix in the backward pass.
class FeedbackHeadImpl : public models::HeadRule {
public:
  explicit FeedbackHeadImpl(const FeedbackHeadOptions& options);
  at::Tensor forward(torch::nn::Linear& head, const at::Tensor& features) override;
  // As FeedbackLinear's, for the head's weight [num_outputs, in_features].
  at::Tensor backward_weight(const at::Tensor& head_weight) const;
  // The slot where it keeps the output error for the kDirect layers below (kDirect).
  void connect_output_error(OutputError slot) { output_error_ = std::move(slot); }
  const OutputError& output_error() const { return output_error_; }
  void pretty_print(std::ostream& stream) const override;

  FeedbackHeadOptions options;
  at::Tensor feedback; // as FeedbackLinear's (kDirect: [num_outputs, in_features])

private:
  OutputError output_error_ = make_output_error();
};

} // namespace engram::layers
