#include <engram/models/network.h>

#include <c10/util/Exception.h>

namespace engram::models {

NetworkImpl::NetworkImpl(std::vector<NetworkLayer> body, int64_t in_features, int64_t num_outputs)
    : body_(std::move(body)), in_features_(in_features), num_outputs_(num_outputs) {
  TORCH_CHECK(in_features > 0, "Network: argument 'in_features' expected > 0, got ", in_features);
  TORCH_CHECK(num_outputs > 0, "Network: argument 'num_outputs' expected > 0, got ", num_outputs);
  int64_t width = in_features;
  for (size_t i = 0; i < body_.size(); ++i) {
    register_module("layer" + std::to_string(i) + "_" + body_[i].type, body_[i].module.ptr());
    width = body_[i].out_features;
  }
  head_ = register_module("head", torch::nn::Linear(width, num_outputs));
}

at::Tensor NetworkImpl::forward(const at::Tensor& x, const std::vector<at::Tensor>& gates) {
  return head_->forward(features(x, gates));
}

at::Tensor NetworkImpl::features(const at::Tensor& x, const std::vector<at::Tensor>& gates) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == in_features_,
              "Network::forward: argument 'x' expected [B, ", in_features_, "], got ", x.sizes());
  const auto widths = gate_widths();
  TORCH_CHECK(gates.empty() || gates.size() == widths.size(),
              "Network::forward: argument 'gates' expected ", widths.size(),
              " tensors (one per gate point) or none, got ", gates.size());
  at::Tensor h = x;
  size_t g = 0;
  for (auto& layer : body_) {
    h = layer.module.forward(h);
    if (layer.gate_point && !gates.empty())
      h = h * gates[g++];
  }
  return h;
}

std::vector<int64_t> NetworkImpl::gate_widths() const {
  std::vector<int64_t> w;
  for (const auto& layer : body_) {
    if (layer.gate_point)
      w.push_back(layer.out_features);
  }
  return w;
}

void NetworkImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::Network(in_features=" << in_features_ << ", layers=[";
  for (size_t i = 0; i < body_.size(); ++i)
    stream << (i ? ", " : "") << body_[i].type << "(" << body_[i].out_features << ")";
  stream << "], num_outputs=" << num_outputs_ << ")";
}

void copy_network_state(const NetworkImpl& from, NetworkImpl& to) {
  at::NoGradGuard no_grad;
  auto src = from.named_parameters(/*recurse=*/true);
  auto dst = to.named_parameters(/*recurse=*/true);
  TORCH_CHECK(src.size() == dst.size(), "copy_network_state: networks differ in parameter count (",
              src.size(), " vs ", dst.size(), ")");
  for (const auto& item : src)
    dst[item.key()].copy_(item.value());
  auto sb = from.named_buffers(true);
  auto db = to.named_buffers(true);
  for (const auto& item : sb)
    db[item.key()].copy_(item.value());
}

} // namespace engram::models
