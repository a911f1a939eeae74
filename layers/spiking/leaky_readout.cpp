#include <engram/layers/spiking/leaky_readout.h>

#include <ATen/ATen.h>

#include <cmath>
#include <vector>

namespace engram::layers::spiking {

LeakyReadoutImpl::LeakyReadoutImpl(const LeakyReadoutOptions& options_) : options(options_) {
  reset();
}

void LeakyReadoutImpl::check_options() const {
  const auto& o = options;
  TORCH_CHECK(o.input_size() > 0, "LeakyReadout: option 'input_size' expected > 0, got ",
              o.input_size());
  TORCH_CHECK(o.output_size() > 0, "LeakyReadout: option 'output_size' expected > 0, got ",
              o.output_size());
  TORCH_CHECK(o.dt() > 0, "LeakyReadout: option 'dt' expected > 0, got ", o.dt());
  TORCH_CHECK(o.tau_out() > 0, "LeakyReadout: option 'tau_out' expected > 0, got ", o.tau_out());
}

void LeakyReadoutImpl::reset() {
  check_options();
  weight =
      register_parameter("weight", torch::empty({options.output_size(), options.input_size()}));
  bias = register_parameter("bias", torch::empty({options.output_size()}));
  reset_parameters();
}

void LeakyReadoutImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  weight.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(options.input_size())));
  bias.zero_();
}

double LeakyReadoutImpl::kappa() const {
  return std::exp(-options.dt() / options.tau_out());
}

torch::Tensor LeakyReadoutImpl::step(const torch::Tensor& z_t, const torch::Tensor& y_prev) const {
  TORCH_CHECK(z_t.defined() && z_t.dim() == 2 && z_t.size(1) == options.input_size(),
              "LeakyReadout::step: argument 'z_t' expected shape [B, ", options.input_size(),
              "], got ", z_t.defined() ? z_t.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(
      y_prev.defined() && y_prev.sizes() == c10::IntArrayRef({z_t.size(0), options.output_size()}),
      "LeakyReadout::step: argument 'y_prev' expected shape [", z_t.size(0), ", ",
      options.output_size(), "], got ", y_prev.defined() ? y_prev.sizes() : c10::IntArrayRef{});
  return kappa() * y_prev + at::matmul(z_t, weight.t()) + bias;
}

torch::Tensor LeakyReadoutImpl::forward(const torch::Tensor& z,
                                        const std::optional<torch::Tensor>& y0) {
  check_options();
  TORCH_CHECK(z.defined() && z.dim() == 3 && z.size(2) == options.input_size() && z.size(0) > 0 &&
                  z.size(1) > 0,
              "LeakyReadout: argument 'z' expected shape [T > 0, B > 0, ", options.input_size(),
              "], got ", z.defined() ? z.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(z.scalar_type() == weight.scalar_type() && z.device() == weight.device(),
              "LeakyReadout: argument 'z' expected dtype ", weight.scalar_type(), " on ",
              weight.device(), " (the layer's), got ", z.scalar_type(), " on ", z.device());
  auto y = y0 ? *y0 : at::zeros({z.size(1), options.output_size()}, weight.options());
  std::vector<torch::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(z.size(0)));
  for (int64_t t = 0; t < z.size(0); ++t) {
    y = step(z[t], y);
    outputs.push_back(y);
  }
  return at::stack(outputs);
}

void LeakyReadoutImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::LeakyReadout(input_size=" << options.input_size()
         << ", output_size=" << options.output_size() << ", dt=" << options.dt()
         << ", tau_out=" << options.tau_out() << ")";
}

} // namespace engram::layers::spiking
