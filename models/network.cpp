#include <engram/models/network.h>

#include <c10/util/Exception.h>

#include <sstream>

namespace engram::models {

std::string shape_string(const Shape& shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s << (i ? ", " : "") << shape[i];
  s << "]";
  return s.str();
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (const int64_t d : shape)
    n *= d;
  return n;
}

NetworkImpl::NetworkImpl(std::vector<NetworkLayer> body, int64_t in_features, int64_t num_outputs)
    : NetworkImpl(std::move(body), Shape{in_features}, num_outputs) {}

NetworkImpl::NetworkImpl(std::vector<NetworkLayer> body, Shape input_shape, int64_t num_outputs)
    : body_(std::move(body)), in_features_(shape_numel(input_shape)),
      input_shape_(std::move(input_shape)), num_outputs_(num_outputs) {
  TORCH_CHECK(!input_shape_.empty() && in_features_ > 0,
              "Network: argument 'input_shape' expected positive sizes, got ",
              shape_string(input_shape_));
  TORCH_CHECK(num_outputs > 0, "Network: argument 'num_outputs' expected > 0, got ", num_outputs);
  int64_t width = in_features_;
  for (size_t i = 0; i < body_.size(); ++i) {
    if (body_[i].out_shape.empty())
      body_[i].out_shape = {body_[i].out_features};
    register_module("layer" + std::to_string(i) + "_" + body_[i].type, body_[i].module.ptr());
    width = body_[i].out_features;
  }
  head_ = register_module("head", torch::nn::Linear(width, num_outputs));
}

at::Tensor NetworkImpl::forward(const at::Tensor& x, const std::vector<at::Tensor>& gates) {
  const at::Tensor f = features(x, gates);
  at::Tensor out = head_rule_ ? head_rule_->forward(head_, f) : head_->forward(f);
  if (linear_records_ != nullptr)
    record_linear(*head_, f, out);
  return out;
}

void NetworkImpl::set_head_rule(std::shared_ptr<HeadRule> rule) {
  TORCH_CHECK(rule != nullptr, "Network::set_head_rule: argument 'rule' expected a rule, got null");
  TORCH_CHECK(head_rule_ == nullptr, "Network::set_head_rule: the head already has a rule");
  head_rule_ = register_module("head_rule", std::move(rule));
}

void NetworkImpl::record_linear(const torch::nn::Module& module, const at::Tensor& in,
                                const at::Tensor& out) {
  const auto* linear = dynamic_cast<const torch::nn::LinearImpl*>(&module);
  if (linear == nullptr || in.dim() != 2)
    return;
  linear_records_->push_back(LinearActivation{linear->weight, linear->bias, in, out});
}

at::Tensor NetworkImpl::features(const at::Tensor& x, const std::vector<at::Tensor>& gates) {
  const bool flat = x.dim() == 2 && x.size(1) == in_features_;
  const bool shaped = x.dim() == static_cast<int64_t>(input_shape_.size()) + 1 &&
                      x.sizes().slice(1).vec() == input_shape_;
  TORCH_CHECK(flat || shaped, "Network::forward: argument 'x' expected [B, ", in_features_,
              "] or [B, ", shape_string(input_shape_).substr(1), ", got ", x.sizes());
  const auto widths = gate_widths();
  TORCH_CHECK(gates.empty() || gates.size() == widths.size(),
              "Network::forward: argument 'gates' expected ", widths.size(),
              " tensors (one per gate point) or none, got ", gates.size());
  const int64_t batch = x.size(0);
  Shape batch_shape{batch};
  batch_shape.insert(batch_shape.end(), input_shape_.begin(), input_shape_.end());
  at::Tensor h = shaped ? x : x.view(batch_shape);
  size_t g = 0;
  for (auto& layer : body_) {
    const at::Tensor in = h;
    h = layer.module.forward(h);
    if (linear_records_ != nullptr)
      record_linear(*layer.module.ptr(), in, h);
    if (layer.gate_point && !gates.empty()) {
      const at::Tensor& gate = gates[g++];
      if (h.dim() == 2) {
        h = h * gate;
      } else {
        // A gate over C*H*W units, laid out as the layer's output.
        Shape gate_shape{gate.dim() == 1 ? 1 : batch};
        gate_shape.insert(gate_shape.end(), layer.out_shape.begin(), layer.out_shape.end());
        h = h * gate.reshape(gate_shape);
      }
    }
  }
  return h.dim() > 2 ? h.flatten(1) : h;
}

void NetworkImpl::begin_task(int64_t task) {
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* hook = dynamic_cast<TaskBoundaryHook*>(module.get()))
      hook->begin_task(task);
  }
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
  stream << "engram::models::Network(";
  if (input_shape_.size() == 1)
    stream << "in_features=" << in_features_;
  else
    stream << "input_shape=" << shape_string(input_shape_);
  stream << ", layers=[";
  for (size_t i = 0; i < body_.size(); ++i) {
    stream << (i ? ", " : "") << body_[i].type << "(";
    if (body_[i].out_shape.size() == 1)
      stream << body_[i].out_features;
    else
      stream << shape_string(body_[i].out_shape);
    stream << ")";
  }
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
