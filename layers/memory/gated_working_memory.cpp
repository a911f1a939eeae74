#include <engram/layers/memory/gated_working_memory.h>

#include <algorithm>
#include <ostream>

namespace engram::layers::memory {

const std::vector<std::string>& gated_memory_backends() {
  static const std::vector<std::string> names{"auto", "engram", "aten_lstm"};
  return names;
}

GatedMemoryPath gated_memory_path(const GatedWorkingMemoryOptions& options,
                                  const at::Device& device) {
  const std::string& backend = options.backend();
  const auto& names = gated_memory_backends();
  TORCH_CHECK(std::find(names.begin(), names.end(), backend) != names.end(),
              "GatedWorkingMemory: option 'backend' expected one of auto, engram, aten_lstm, got '",
              backend, "'");
  if (backend == "aten_lstm") {
    TORCH_CHECK(!options.peephole(),
                "GatedWorkingMemory: option 'backend' aten_lstm expected peephole(false) "
                "(at::lstm has no peepholes), got peephole(true)");
    return GatedMemoryPath::kAtenLstm;
  }
  const GatedMemoryPath engram =
      options.fused() ? GatedMemoryPath::kEngramOp : GatedMemoryPath::kEngramReference;
  if (backend == "engram") {
    return engram;
  }
  // auto: cuDNN for a plain LSTM on CUDA; engram's own path for peepholes and elsewhere.
  return device.is_cuda() && !options.peephole() && options.fused() ? GatedMemoryPath::kAtenLstm
                                                                    : engram;
}

GatedWorkingMemoryImpl::GatedWorkingMemoryImpl(GatedWorkingMemoryOptions options_)
    : options(std::move(options_)) {
  TORCH_CHECK(options.input_size() > 0,
              "GatedWorkingMemory: argument 'input_size' expected > 0, got ", options.input_size());
  TORCH_CHECK(options.hidden_size() > 0,
              "GatedWorkingMemory: argument 'hidden_size' expected > 0, got ",
              options.hidden_size());
  TORCH_CHECK(options.num_layers() > 0,
              "GatedWorkingMemory: argument 'num_layers' expected > 0, got ", options.num_layers());
  TORCH_CHECK(options.dropout() >= 0.0 && options.dropout() < 1.0,
              "GatedWorkingMemory: argument 'dropout' expected in [0, 1), got ", options.dropout());
  gated_memory_path(options, at::kCPU); // refuses a bad backend at construction
  reset();
}

void GatedWorkingMemoryImpl::reset() {
  weight_ih_.clear();
  weight_hh_.clear();
  bias_ih_.clear();
  bias_hh_.clear();
  peephole_.clear();
  const int64_t hidden = options.hidden_size();
  for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
    const int64_t in = layer == 0 ? options.input_size() : hidden;
    const std::string suffix = "_l" + std::to_string(layer);
    weight_ih_.push_back(register_parameter("weight_ih" + suffix, at::empty({4 * hidden, in})));
    weight_hh_.push_back(register_parameter("weight_hh" + suffix, at::empty({4 * hidden, hidden})));
    if (options.bias()) {
      bias_ih_.push_back(register_parameter("bias_ih" + suffix, at::empty({4 * hidden})));
      bias_hh_.push_back(register_parameter("bias_hh" + suffix, at::empty({4 * hidden})));
    } else {
      bias_ih_.emplace_back();
      bias_hh_.emplace_back();
    }
    if (options.peephole()) {
      peephole_.push_back(register_parameter("peephole" + suffix, at::empty({3, hidden})));
    } else {
      peephole_.emplace_back();
    }
  }
  reset_parameters();
}

void GatedWorkingMemoryImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.hidden_size()));
  for (auto& p : parameters())
    p.uniform_(-bound, bound);
  const int64_t hidden = options.hidden_size();
  if (options.bias()) {
    for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
      bias_ih_[layer].narrow(0, hidden, hidden).fill_(options.forget_bias());
      bias_hh_[layer].narrow(0, hidden, hidden).zero_();
    }
  }
}

void GatedWorkingMemoryImpl::load_lstm_weights(const torch::nn::LSTM& lstm) {
  const auto& o = lstm->options;
  TORCH_CHECK(o.input_size() == options.input_size() && o.hidden_size() == options.hidden_size() &&
                  o.num_layers() == options.num_layers() && o.bias() == options.bias() &&
                  !o.bidirectional() && o.proj_size() == 0,
              "GatedWorkingMemory::load_lstm_weights: argument 'lstm' expected a unidirectional "
              "LSTM(input ",
              options.input_size(), ", hidden ", options.hidden_size(), ", layers ",
              options.num_layers(), ", bias ", options.bias(), "), got LSTM(input ", o.input_size(),
              ", hidden ", o.hidden_size(), ", layers ", o.num_layers(), ", bias ", o.bias(),
              ", bidirectional ", o.bidirectional(), ", proj ", o.proj_size(), ")");
  at::NoGradGuard no_grad;
  const auto source = lstm->named_parameters();
  for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
    const std::string suffix = "_l" + std::to_string(layer);
    weight_ih_[layer].copy_(source["weight_ih" + suffix]);
    weight_hh_[layer].copy_(source["weight_hh" + suffix]);
    if (options.bias()) {
      bias_ih_[layer].copy_(source["bias_ih" + suffix]);
      bias_hh_[layer].copy_(source["bias_hh" + suffix]);
    }
  }
}

std::tuple<at::Tensor, GatedMemoryState>
GatedWorkingMemoryImpl::forward(const at::Tensor& input,
                                const std::optional<GatedMemoryState>& state) {
  TORCH_CHECK(input.dim() == 3, "GatedWorkingMemory: argument 'input' expected 3 dims (",
              options.batch_first() ? "[B, T, I]" : "[T, B, I]", "), got ", input.sizes());
  TORCH_CHECK(input.size(2) == options.input_size(),
              "GatedWorkingMemory: argument 'input' "
              "expected feature size ",
              options.input_size(), ", got ", input.size(2));
  const at::Tensor x = options.batch_first() ? input.transpose(0, 1) : input;
  const int64_t batch = x.size(1);
  const int64_t layers = options.num_layers(), hidden = options.hidden_size();
  at::Tensor h0, c0;
  if (state.has_value()) {
    std::tie(h0, c0) = *state;
    const std::vector<int64_t> expected{layers, batch, hidden};
    TORCH_CHECK(h0.sizes() == expected, "GatedWorkingMemory: argument 'state' expected h of shape ",
                at::IntArrayRef(expected), " (batch ", batch, " of the input), got ", h0.sizes());
    TORCH_CHECK(c0.sizes() == expected, "GatedWorkingMemory: argument 'state' expected c of shape ",
                at::IntArrayRef(expected), " (batch ", batch, " of the input), got ", c0.sizes());
  } else {
    h0 = at::zeros({layers, batch, hidden}, x.options());
    c0 = at::zeros({layers, batch, hidden}, x.options());
  }
  at::Tensor layer_input = x;
  std::vector<at::Tensor> h_n, c_n;
  const GatedMemoryPath path = gated_memory_path(options, weight_hh_[0].device());
  if (path == GatedMemoryPath::kAtenLstm) {
    auto [output, h, c] = at::lstm(x, {h0, c0}, lstm_parameters(), options.bias(), layers,
                                   options.dropout(), is_training(), /*bidirectional=*/false,
                                   /*batch_first=*/false);
    return {options.batch_first() ? output.transpose(0, 1) : output, {h, c}};
  }
  for (int64_t layer = 0; layer < layers; ++layer) {
    at::Tensor bias;
    if (options.bias())
      bias = bias_ih_[layer] + bias_hh_[layer];
    const auto out =
        path == GatedMemoryPath::kEngramOp
            ? ops::gated_memory_layer(layer_input, h0[layer], c0[layer], weight_ih_[layer],
                                      weight_hh_[layer], bias, peephole_[layer])
            : ops::reference::gated_memory_layer(layer_input, h0[layer], c0[layer],
                                                 weight_ih_[layer], weight_hh_[layer], bias,
                                                 peephole_[layer]);
    h_n.push_back(out.h_n);
    c_n.push_back(out.c_n);
    layer_input = out.output;
    if (options.dropout() > 0.0 && is_training() && layer + 1 < layers) {
      layer_input = at::dropout(layer_input, options.dropout(), /*train=*/true);
    }
  }
  at::Tensor output = options.batch_first() ? layer_input.transpose(0, 1) : layer_input;
  return {output, {at::stack(h_n, 0), at::stack(c_n, 0)}};
}

std::vector<at::Tensor> GatedWorkingMemoryImpl::lstm_parameters() const {
  std::vector<at::Tensor> params;
  for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
    params.push_back(weight_ih_[layer]);
    params.push_back(weight_hh_[layer]);
    if (options.bias()) {
      params.push_back(bias_ih_[layer]);
      params.push_back(bias_hh_[layer]);
    }
  }
  return params;
}

void GatedWorkingMemoryImpl::flatten_parameters() {
  const at::Tensor& first = weight_ih_.at(0);
  if (gated_memory_path(options, first.device()) != GatedMemoryPath::kAtenLstm ||
      !first.is_cuda() || !at::cudnn_is_acceptable(first)) {
    return;
  }
  at::NoGradGuard no_grad;
  constexpr int64_t kCudnnLstmMode = 2; // CUDNN_LSTM
  // Copies the tensors into one buffer and makes each parameter a view of it.
  at::_cudnn_rnn_flatten_weight(lstm_parameters(), options.bias() ? 4 : 2, options.input_size(),
                                kCudnnLstmMode, options.hidden_size(), /*proj_size=*/0,
                                options.num_layers(), /*batch_first=*/false,
                                /*bidirectional=*/false);
}

void GatedWorkingMemoryImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  flatten_parameters();
}

void GatedWorkingMemoryImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  flatten_parameters();
}

void GatedWorkingMemoryImpl::to(torch::Device device, bool non_blocking) {
  torch::nn::Module::to(device, non_blocking);
  flatten_parameters();
}

void GatedWorkingMemoryImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::GatedWorkingMemory(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size() << ", num_layers=" << options.num_layers()
         << ", bias=" << options.bias() << ", batch_first=" << options.batch_first()
         << ", dropout=" << options.dropout() << ", forget_bias=" << options.forget_bias()
         << ", peephole=" << options.peephole() << ", fused=" << options.fused()
         << ", backend=" << options.backend() << ")";
}

} // namespace engram::layers::memory
