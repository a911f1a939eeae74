#include <engram/models/vae.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <ostream>

namespace engram::models {

VaeImpl::VaeImpl(const VaeOptions& options_) : options(options_) {
  reset();
}

void VaeImpl::reset() {
  TORCH_CHECK(options.input_dim() >= 1, "Vae: option 'input_dim' expected >= 1, got ",
              options.input_dim());
  TORCH_CHECK(options.hidden() >= 1, "Vae: option 'hidden' expected >= 1, got ", options.hidden());
  TORCH_CHECK(options.latent_dim() >= 1, "Vae: option 'latent_dim' expected >= 1, got ",
              options.latent_dim());
  const int64_t d = options.input_dim(), h = options.hidden(), z = options.latent_dim();
  enc1 = register_module("enc1", torch::nn::Linear(d, h));
  enc2 = register_module("enc2", torch::nn::Linear(h, h));
  to_mu = register_module("to_mu", torch::nn::Linear(h, z));
  to_logvar = register_module("to_logvar", torch::nn::Linear(h, z));
  dec1 = register_module("dec1", torch::nn::Linear(z, h));
  dec2 = register_module("dec2", torch::nn::Linear(h, h));
  dec_out = register_module("dec_out", torch::nn::Linear(h, d));
}

void VaeImpl::reset_parameters() {
  for (auto* l : {&enc1, &enc2, &to_mu, &to_logvar, &dec1, &dec2, &dec_out})
    (*l)->reset_parameters();
}

std::tuple<at::Tensor, at::Tensor> VaeImpl::encode(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options.input_dim(), "Vae: argument 'x' expected [B, ",
              options.input_dim(), "], got ", x.sizes());
  const at::Tensor h = at::relu(enc2->forward(at::relu(enc1->forward(x))));
  return {to_mu->forward(h), to_logvar->forward(h)};
}

at::Tensor VaeImpl::decode(const at::Tensor& z) {
  TORCH_CHECK(z.dim() == 2 && z.size(1) == options.latent_dim(),
              "Vae::decode: argument 'z' expected [B, ", options.latent_dim(), "], got ",
              z.sizes());
  return at::sigmoid(dec_out->forward(at::relu(dec2->forward(at::relu(dec1->forward(z))))));
}

VaeOutput VaeImpl::forward(const at::Tensor& x, at::Generator generator) {
  auto [mu, logvar] = encode(x);
  at::Tensor z = mu;
  if (generator.defined()) {
    const at::Tensor eps =
        at::randn(mu.sizes(), generator, at::kFloat).to(mu.options(), /*non_blocking=*/true);
    z = mu + at::exp(0.5 * logvar) * eps;
  }
  return {decode(z), mu, logvar};
}

at::Tensor VaeImpl::loss(const at::Tensor& x, at::Generator generator) {
  const VaeOutput out = forward(x, std::move(generator));
  const double d = static_cast<double>(options.input_dim());
  const at::Tensor reconstruction =
      at::binary_cross_entropy(out.reconstruction, x, {}, at::Reduction::None).mean(1);
  const at::Tensor kl = -0.5 * (1 + out.logvar - out.mu.pow(2) - out.logvar.exp()).sum(1) / d;
  return (reconstruction + kl).mean();
}

at::Tensor VaeImpl::sample(int64_t n, at::Generator generator) {
  TORCH_CHECK(n >= 1, "Vae::sample: argument 'n' expected >= 1, got ", n);
  const at::Tensor z = at::randn({n, options.latent_dim()}, generator, at::kFloat)
                           .to(dec1->weight.options(), /*non_blocking=*/true);
  return decode(z);
}

void VaeImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::Vae(input_dim=" << options.input_dim()
         << ", hidden=" << options.hidden() << ", latent_dim=" << options.latent_dim() << ")";
}

} // namespace engram::models
