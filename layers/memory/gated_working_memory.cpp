#include <engram/layers/memory/gated_working_memory.h>

#include <ostream>

namespace engram::layers::memory {

GatedWorkingMemoryImpl::GatedWorkingMemoryImpl(GatedWorkingMemoryOptions options)
    : options_(std::move(options)) {
  TORCH_CHECK(options_.input_size() > 0,
              "GatedWorkingMemory: argument 'input_size' expected > 0, got ",
              options_.input_size());
  TORCH_CHECK(options_.hidden_size() > 0,
              "GatedWorkingMemory: argument 'hidden_size' expected > 0, got ",
              options_.hidden_size());
  TORCH_CHECK(options_.num_layers() > 0,
              "GatedWorkingMemory: argument 'num_layers' expected > 0, got ",
              options_.num_layers());
  TORCH_CHECK(options_.dropout() >= 0.0 && options_.dropout() < 1.0,
              "GatedWorkingMemory: argument 'dropout' expected in [0, 1), got ",
              options_.dropout());
  const int64_t hidden = options_.hidden_size();
  for (int64_t layer = 0; layer < options_.num_layers(); ++layer) {
    const int64_t in = layer == 0 ? options_.input_size() : hidden;
    const std::string suffix = "_l" + std::to_string(layer);
    weight_ih_.push_back(register_parameter("weight_ih" + suffix, at::empty({4 * hidden, in})));
    weight_hh_.push_back(register_parameter("weight_hh" + suffix, at::empty({4 * hidden, hidden})));
    if (options_.bias()) {
      bias_ih_.push_back(register_parameter("bias_ih" + suffix, at::empty({4 * hidden})));
      bias_hh_.push_back(register_parameter("bias_hh" + suffix, at::empty({4 * hidden})));
    } else {
      bias_ih_.emplace_back();
      bias_hh_.emplace_back();
    }
    if (options_.peephole()) {
      peephole_.push_back(register_parameter("peephole" + suffix, at::empty({3, hidden})));
    } else {
      peephole_.emplace_back();
    }
  }
  reset_parameters();
}

void GatedWorkingMemoryImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(options_.hidden_size()));
  for (auto& p : parameters())
    p.uniform_(-bound, bound);
  const int64_t hidden = options_.hidden_size();
  if (options_.bias()) {
    for (int64_t layer = 0; layer < options_.num_layers(); ++layer) {
      bias_ih_[layer].narrow(0, hidden, hidden).fill_(options_.forget_bias());
      bias_hh_[layer].narrow(0, hidden, hidden).zero_();
    }
  }
}

void GatedWorkingMemoryImpl::load_lstm_weights(const torch::nn::LSTM& lstm) {
  const auto& o = lstm->options;
  TORCH_CHECK(o.input_size() == options_.input_size() &&
                  o.hidden_size() == options_.hidden_size() &&
                  o.num_layers() == options_.num_layers() && o.bias() == options_.bias() &&
                  !o.bidirectional() && o.proj_size() == 0,
              "GatedWorkingMemory::load_lstm_weights: argument 'lstm' expected a unidirectional "
              "LSTM(input ",
              options_.input_size(), ", hidden ", options_.hidden_size(), ", layers ",
              options_.num_layers(), ", bias ", options_.bias(), "), got LSTM(input ",
              o.input_size(), ", hidden ", o.hidden_size(), ", layers ", o.num_layers(), ", bias ",
              o.bias(), ", bidirectional ", o.bidirectional(), ", proj ", o.proj_size(), ")");
  at::NoGradGuard no_grad;
  const auto source = lstm->named_parameters();
  for (int64_t layer = 0; layer < options_.num_layers(); ++layer) {
    const std::string suffix = "_l" + std::to_string(layer);
    weight_ih_[layer].copy_(source["weight_ih" + suffix]);
    weight_hh_[layer].copy_(source["weight_hh" + suffix]);
    if (options_.bias()) {
      bias_ih_[layer].copy_(source["bias_ih" + suffix]);
      bias_hh_[layer].copy_(source["bias_hh" + suffix]);
    }
  }
}

std::tuple<at::Tensor, GatedMemoryState>
GatedWorkingMemoryImpl::forward(const at::Tensor& input,
                                const std::optional<GatedMemoryState>& state) {
  TORCH_CHECK(input.dim() == 3, "GatedWorkingMemory: argument 'input' expected 3 dims (",
              options_.batch_first() ? "[B, T, I]" : "[T, B, I]", "), got ", input.sizes());
  TORCH_CHECK(input.size(2) == options_.input_size(),
              "GatedWorkingMemory: argument 'input' "
              "expected feature size ",
              options_.input_size(), ", got ", input.size(2));
  const at::Tensor x = options_.batch_first() ? input.transpose(0, 1) : input;
  const int64_t batch = x.size(1);
  const int64_t layers = options_.num_layers(), hidden = options_.hidden_size();
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
  for (int64_t layer = 0; layer < layers; ++layer) {
    at::Tensor bias;
    if (options_.bias())
      bias = bias_ih_[layer] + bias_hh_[layer];
    GatedMemoryLayerOutput out =
        gated_memory_layer(layer_input, h0[layer], c0[layer], weight_ih_[layer], weight_hh_[layer],
                           bias, peephole_[layer], options_.fused());
    h_n.push_back(out.h_n);
    c_n.push_back(out.c_n);
    layer_input = out.output;
    if (options_.dropout() > 0.0 && is_training() && layer + 1 < layers) {
      layer_input = at::dropout(layer_input, options_.dropout(), /*train=*/true);
    }
  }
  at::Tensor output = options_.batch_first() ? layer_input.transpose(0, 1) : layer_input;
  return {output, {at::stack(h_n, 0), at::stack(c_n, 0)}};
}

void GatedWorkingMemoryImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::GatedWorkingMemory(input_size=" << options_.input_size()
         << ", hidden_size=" << options_.hidden_size() << ", num_layers=" << options_.num_layers()
         << ", bias=" << options_.bias() << ", batch_first=" << options_.batch_first()
         << ", dropout=" << options_.dropout() << ", forget_bias=" << options_.forget_bias()
         << ", peephole=" << options_.peephole() << ", fused=" << options_.fused() << ")";
}

} // namespace engram::layers::memory
