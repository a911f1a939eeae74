#pragma once
// A fully connected variational autoencoder (Kingma & Welling 2014) over flat inputs in [0, 1], the
// generator of deep generative replay as in van de Ven & Tolias's code (models/vae.py of
// GMvandeVen/continual-learning, MNIST settings): encoder input -> hidden -> hidden (ReLU) ->
// (mu, logvar) of a latent_dim Gaussian; decoder latent -> hidden -> hidden (ReLU) -> input
// (sigmoid). Its loss per sample is the binary cross-entropy of the reconstruction averaged over
// the input units plus the KL divergence to N(0, I) divided by the number of input units.
#include <ATen/core/Generator.h>
#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <tuple>

namespace engram::models {

struct VaeOptions {
  explicit VaeOptions(int64_t input_dim) : input_dim_(input_dim) {}
  /// Units of the flat input (>= 1).
  TORCH_ARG(int64_t, input_dim);
  /// Units of each of the two hidden layers of the encoder and of the decoder (>= 1).
  TORCH_ARG(int64_t, hidden) = 400;
  /// Dimensions of the latent Gaussian (>= 1).
  TORCH_ARG(int64_t, latent_dim) = 100;
};

struct VaeOutput {
  at::Tensor reconstruction; // [B, input_dim], in (0, 1)
  at::Tensor mu;             // [B, latent_dim]
  at::Tensor logvar;         // [B, latent_dim]
};

class VaeImpl : public torch::nn::Cloneable<VaeImpl> {
public:
  explicit VaeImpl(const VaeOptions& options);
  void reset() override;
  void reset_parameters();
  // x: [B, input_dim]. The latent sample is mu + exp(logvar / 2) * eps, eps ~ N(0, I) drawn from
  // `generator` (a CPU generator; eps is moved to x's device); without a generator, z = mu.
  VaeOutput forward(const at::Tensor& x, at::Generator generator = {});
  // (mu, logvar) of the encoder for x: [B, input_dim].
  std::tuple<at::Tensor, at::Tensor> encode(const at::Tensor& x);
  // Decoder output [B, input_dim] for latents z: [B, latent_dim].
  at::Tensor decode(const at::Tensor& z);
  // The mean loss over the batch (see the top of the file) of x, whose values must be in [0, 1].
  at::Tensor loss(const at::Tensor& x, at::Generator generator);
  // `n` samples decoded from z ~ N(0, I) drawn from `generator` (CPU), on the module's device.
  at::Tensor sample(int64_t n, at::Generator generator);
  void pretty_print(std::ostream& stream) const override;

  VaeOptions options;
  torch::nn::Linear enc1{nullptr}, enc2{nullptr}, to_mu{nullptr}, to_logvar{nullptr};
  torch::nn::Linear dec1{nullptr}, dec2{nullptr}, dec_out{nullptr};

protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(at::Generator())})
};
TORCH_MODULE(Vae);

} // namespace engram::models
