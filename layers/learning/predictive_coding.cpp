#include <engram/layers/learning/predictive_coding.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/autograd.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>

#include <string>
#include <vector>

namespace engram::layers {

namespace {

enum class Nonlinearity { kRelu, kTanh, kSigmoid };

// One linear layer and the activations that follow it.
struct Stage {
  torch::nn::LinearImpl* linear = nullptr;
  std::vector<Nonlinearity> after;
};

// The network as: activations applied to the input, then linear stages (the head last).
struct Chain {
  std::vector<Nonlinearity> before;
  std::vector<Stage> stages;
};

at::Tensor apply(const std::vector<Nonlinearity>& fs, at::Tensor h) {
  for (const auto f : fs) {
    switch (f) {
    case Nonlinearity::kRelu:
      h = at::relu(h);
      break;
    case Nonlinearity::kTanh:
      h = at::tanh(h);
      break;
    case Nonlinearity::kSigmoid:
      h = at::sigmoid(h);
      break;
    }
  }
  return h;
}

// The body's children are registered as "layer<i>_<type>", then "head".
Chain chain_of(models::NetworkImpl& net) {
  Chain chain;
  for (const auto& child : net.named_children()) {
    torch::nn::Module* m = child.value().get();
    if (auto* linear = dynamic_cast<torch::nn::LinearImpl*>(m)) {
      chain.stages.push_back(Stage{linear, {}});
      continue;
    }
    Nonlinearity f;
    if (dynamic_cast<torch::nn::ReLUImpl*>(m) != nullptr) {
      f = Nonlinearity::kRelu;
    } else if (dynamic_cast<torch::nn::TanhImpl*>(m) != nullptr) {
      f = Nonlinearity::kTanh;
    } else if (dynamic_cast<torch::nn::SigmoidImpl*>(m) != nullptr) {
      f = Nonlinearity::kSigmoid;
    } else {
      const std::string& name = child.key();
      const auto cut = name.find('_');
      TORCH_CHECK(false, "predictive_coding_gradients: network layer '", name, "' (",
                  cut == std::string::npos ? name : name.substr(cut + 1),
                  ") is not supported; expected linear layers and relu, tanh or sigmoid "
                  "activations");
    }
    (chain.stages.empty() ? chain.before : chain.stages.back().after).push_back(f);
  }
  TORCH_CHECK(!chain.stages.empty(),
              "predictive_coding_gradients: the network has no linear layer");
  return chain;
}

at::Tensor predict(const Stage& stage, const at::Tensor& input) {
  const auto& lin = *stage.linear;
  const at::Tensor w = lin.weight.detach();
  const at::Tensor b = lin.bias.defined() ? lin.bias.detach() : at::Tensor();
  return at::linear(input, w, b);
}

void accumulate(at::Tensor& parameter, const at::Tensor& update) {
  if (!parameter.defined() || !parameter.requires_grad()) {
    return;
  }
  auto& grad = parameter.mutable_grad();
  if (grad.defined()) {
    grad.add_(update);
  } else {
    grad = update.clone();
  }
}

} // namespace

void predictive_coding_gradients(models::NetworkImpl& net, const at::Tensor& x,
                                 const TaskLossFn& task_loss,
                                 const PredictiveCodingOptions& options) {
  TORCH_CHECK(options.inference_steps() >= 1 && options.inference_steps() <= 100000,
              "predictive_coding_gradients: option 'inference_steps' expected in [1, 100000], got ",
              options.inference_steps());
  TORCH_CHECK(options.inference_rate() > 0.0 && options.inference_rate() <= 1.0,
              "predictive_coding_gradients: option 'inference_rate' expected in (0, 1], got ",
              options.inference_rate());
  TORCH_CHECK(static_cast<bool>(task_loss),
              "predictive_coding_gradients: argument 'task_loss' expected a function, got none");
  TORCH_CHECK(x.defined() && x.dim() >= 2 && x.numel() == x.size(0) * net.in_features(),
              "predictive_coding_gradients: argument 'x' expected [B, ", net.in_features(),
              "] or [B, ", models::shape_string(net.input_shape()).substr(1), ", got ",
              x.defined() ? x.sizes() : at::IntArrayRef{});
  const Chain chain = chain_of(net);
  const size_t hidden = chain.stages.size() - 1; // value nodes that relax

  torch::autograd::AutoGradMode enable(true);
  const at::Tensor input = apply(chain.before, x.detach().flatten(1));

  // Feed-forward initialisation: every value node at its prediction (all errors zero).
  std::vector<at::Tensor> v;
  at::Tensor h = input;
  for (size_t l = 0; l < hidden; ++l) {
    v.push_back(predict(chain.stages[l], h).detach());
    h = apply(chain.stages[l].after, v.back());
  }

  // The energy F(v) and, when asked, its pieces.
  auto energy = [&](const std::vector<at::Tensor>& nodes) {
    at::Tensor below = input;
    at::Tensor f = at::zeros({}, input.options());
    for (size_t l = 0; l < hidden; ++l) {
      f = f + 0.5 * (nodes[l] - predict(chain.stages[l], below)).square().sum();
      below = apply(chain.stages[l].after, nodes[l]);
    }
    const at::Tensor loss = task_loss(predict(chain.stages.back(), below));
    TORCH_CHECK(loss.defined() && loss.numel() == 1,
                "predictive_coding_gradients: argument 'task_loss' expected to return a scalar, "
                "got ",
                loss.defined() ? loss.sizes() : at::IntArrayRef{});
    return f + loss.reshape({});
  };

  for (int64_t step = 0; step < options.inference_steps() && hidden > 0; ++step) {
    for (auto& node : v) {
      node.requires_grad_(true);
    }
    const auto grads = torch::autograd::grad({energy(v)}, v);
    for (size_t l = 0; l < hidden; ++l) {
      v[l] = (v[l].detach() - options.inference_rate() * grads[l]).detach();
    }
  }

  // Local updates at the relaxed state: each layer sees its own input and its own error.
  at::Tensor below = input;
  for (size_t l = 0; l <= hidden; ++l) {
    auto& lin = *chain.stages[l].linear;
    at::Tensor error; // eps_l: the direction the layer's output should move
    if (l < hidden) {
      error = v[l] - predict(chain.stages[l], below);
    } else {
      at::Tensor logits = predict(chain.stages[l], below).requires_grad_(true);
      const at::Tensor loss = task_loss(logits);
      error = -torch::autograd::grad({loss.reshape({})}, {logits})[0];
    }
    error = error.detach();
    const at::Tensor update_w = at::matmul(error.t(), below.detach()); // dW = eps f(x)^T
    accumulate(lin.weight, -update_w);
    if (lin.bias.defined()) {
      accumulate(lin.bias, -error.sum(0));
    }
    if (l < hidden) {
      below = apply(chain.stages[l].after, v[l]).detach();
    }
  }
}

} // namespace engram::layers
