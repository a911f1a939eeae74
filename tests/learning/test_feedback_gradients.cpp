// The feedback rules' gradients against hand computations, in float64: feedback alignment (B in
// place of W), sign symmetry (sign(W), |M| ∘ sign(W)), for linear and conv2d layers; direct
// feedback alignment through a whole network (δₗ = (Bₗ e) ⊙ f'(aₗ)); the module contract.
#include <engram/layers/feedback/feedback_layers.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>

#include "support/module_contract.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace {

using engram::layers::FeedbackConv2d;
using engram::layers::FeedbackConv2dOptions;
using engram::layers::FeedbackKind;
using engram::layers::FeedbackLinear;
using engram::layers::FeedbackLinearOptions;

const auto kDouble = at::TensorOptions().dtype(at::kDouble);

void expect_close(const at::Tensor& a, const at::Tensor& b, const std::string& what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_TRUE(at::allclose(a, b, 1e-10, 1e-12))
      << what << ": max difference " << (a - b).abs().max().item<double>();
}

TEST(FeedbackFunctions, LinearInputGradientUsesTheBackwardWeight) {
  at::manual_seed(1);
  at::Tensor x = at::randn({4, 5}, kDouble).requires_grad_();
  at::Tensor w = at::randn({3, 5}, kDouble).requires_grad_();
  at::Tensor b = at::randn({3}, kDouble).requires_grad_();
  const at::Tensor bw = at::randn({3, 5}, kDouble);
  const at::Tensor g = at::randn({4, 3}, kDouble);
  const at::Tensor y = engram::layers::feedback_linear(x, w, b, bw);
  expect_close(y, at::linear(x, w, b), "forward");
  (y * g).sum().backward();
  expect_close(x.grad(), g.mm(bw), "grad_input == grad_output @ B");
  expect_close(w.grad(), g.t().mm(x.detach()), "grad_weight == grad_outputᵀ x");
  expect_close(b.grad(), g.sum(0), "grad_bias");
  // The weight gradient is backprop's.
  at::Tensor w2 = w.detach().clone().requires_grad_();
  (at::linear(x.detach(), w2, b.detach()) * g).sum().backward();
  expect_close(w.grad(), w2.grad(), "weight gradient == bp's");
}

TEST(FeedbackFunctions, Conv2dInputGradientIsAConvolutionGradientWithTheBackwardWeight) {
  at::manual_seed(2);
  for (const int64_t stride : {1, 2}) {
    at::Tensor x = at::randn({2, 3, 7, 7}, kDouble).requires_grad_();
    at::Tensor w = at::randn({4, 3, 3, 3}, kDouble).requires_grad_();
    at::Tensor b = at::randn({4}, kDouble).requires_grad_();
    const at::Tensor bw = at::randn({4, 3, 3, 3}, kDouble);
    const at::Tensor y = engram::layers::feedback_conv2d(x, w, b, bw, stride, 1);
    const at::Tensor g = at::randn(y.sizes(), kDouble);
    (y * g).sum().backward();
    // Reference: backprop through a convolution whose weight is B (input gradient), and through
    // the real one (weight and bias gradients).
    at::Tensor xr = x.detach().clone().requires_grad_();
    (at::conv2d(xr, bw, {}, {stride, stride}, {1, 1}) * g).sum().backward();
    expect_close(x.grad(), xr.grad(), "grad_input (stride " + std::to_string(stride) + ")");
    at::Tensor wr = w.detach().clone().requires_grad_();
    at::Tensor br = b.detach().clone().requires_grad_();
    (at::conv2d(x.detach(), wr, br, {stride, stride}, {1, 1}) * g).sum().backward();
    expect_close(w.grad(), wr.grad(), "grad_weight == bp's");
    expect_close(b.grad(), br.grad(), "grad_bias == bp's");
  }
}

// The input gradient of a FeedbackLinear of `kind` for upstream gradient g, and the matrix the
// backward pass is expected to use (drawn again with the same seed for brsf).
void check_linear_rule(FeedbackKind kind) {
  SCOPED_TRACE(engram::layers::to_string(kind));
  at::manual_seed(3);
  FeedbackLinear layer(FeedbackLinearOptions(6, 4).feedback(kind));
  layer->to(at::kDouble);
  at::Tensor x = at::randn({5, 6}, kDouble).requires_grad_();
  const at::Tensor g = at::randn({5, 4}, kDouble);
  at::manual_seed(10);
  const at::Tensor y = layer->forward(x);
  (y * g).sum().backward();
  at::manual_seed(10);
  const at::Tensor expected_bw = layer->backward_weight();
  const at::Tensor w = layer->weight.detach();
  switch (kind) {
  case FeedbackKind::kRandom:
    expect_close(expected_bw, layer->feedback, "fa: B is the buffer");
    break;
  case FeedbackKind::kSign:
    expect_close(expected_bw, w.sign(), "usf: sign(W)");
    break;
  case FeedbackKind::kSignFixedRandom:
    EXPECT_TRUE(layer->feedback.ge(0).all().item<bool>());
    expect_close(expected_bw, layer->feedback * w.sign(), "frsf: |M| ∘ sign(W)");
    break;
  case FeedbackKind::kSignBatchRandom: {
    EXPECT_TRUE(expected_bw.sign().equal(w.sign())) << "brsf: the signs of W";
    const double bound = std::sqrt(6.0 / (6 + 4));
    EXPECT_LE(expected_bw.abs().max().item<double>(), bound);
    EXPECT_FALSE(layer->backward_weight().equal(expected_bw)) << "brsf: redrawn every batch";
    break;
  }
  case FeedbackKind::kDirect:
    FAIL();
  }
  expect_close(x.grad(), g.mm(expected_bw), "grad_input == grad_output @ backward weight");
  expect_close(layer->weight.grad(), g.t().mm(x.detach()), "weight gradient == bp's");
  expect_close(layer->bias.grad(), g.sum(0), "bias gradient == bp's");
}

TEST(FeedbackLinear, EachRuleUsesItsBackwardWeight) {
  for (const auto kind : {FeedbackKind::kRandom, FeedbackKind::kSign,
                          FeedbackKind::kSignBatchRandom, FeedbackKind::kSignFixedRandom})
    check_linear_rule(kind);
}

TEST(FeedbackConv2d, SignSymmetryUsesTheSignOfTheKernel) {
  at::manual_seed(4);
  FeedbackConv2d layer(FeedbackConv2dOptions(2, 3, 3).padding(1).feedback(FeedbackKind::kSign));
  layer->to(at::kDouble);
  at::Tensor x = at::randn({2, 2, 5, 5}, kDouble).requires_grad_();
  const at::Tensor y = layer->forward(x);
  const at::Tensor g = at::randn(y.sizes(), kDouble);
  (y * g).sum().backward();
  at::Tensor xr = x.detach().clone().requires_grad_();
  (at::conv2d(xr, layer->weight.detach().sign(), {}, {1, 1}, {1, 1}) * g).sum().backward();
  expect_close(x.grad(), xr.grad(), "usf conv: grad_input with sign(W)");
  at::Tensor wr = layer->weight.detach().clone().requires_grad_();
  (at::conv2d(x.detach(), wr, layer->bias.detach(), {1, 1}, {1, 1}) * g).sum().backward();
  expect_close(layer->weight.grad(), wr.grad(), "usf conv: weight gradient == bp's");
}

TEST(FeedbackLayers, EvaluationIsThePlainForwardPass) {
  at::manual_seed(5);
  FeedbackLinear layer(FeedbackLinearOptions(6, 4).feedback(FeedbackKind::kRandom));
  const at::Tensor x = at::randn({3, 6});
  at::NoGradGuard no_grad;
  expect_close(layer->forward(x).to(at::kDouble),
               at::linear(x, layer->weight, layer->bias).to(at::kDouble), "no-grad forward");
}

engram::models::Network dfa_mlp(const std::string& activation) {
  const std::string json = R"({"name": "dfa-mlp", "learning": "dfa", "layers": [
      {"type": "linear", "out_features": 5}, {"type": ")" +
                           activation + R"("},
      {"type": "linear", "out_features": 4}, {"type": ")" +
                           activation + R"("}]})";
  return engram::models::build_network(engram::models::parse_preset(json), 6, 3);
}

TEST(DirectFeedbackAlignment, HiddenGradientsAreTheProjectedOutputErrorTimesTheSlope) {
  at::manual_seed(6);
  auto net = dfa_mlp("tanh");
  net->to(at::kDouble);
  const at::Tensor x = at::randn({7, 6}, kDouble);
  const at::Tensor y = at::randint(3, {7}, at::kLong);
  const at::Tensor logits = net->forward(x);
  at::cross_entropy_loss(logits, y).backward();

  auto params = net->named_parameters();
  auto buffers = net->named_buffers();
  const at::Tensor w0 = params["layer0_linear+dfa.weight"].detach();
  const at::Tensor b0 = params["layer0_linear+dfa.bias"].detach();
  const at::Tensor w2 = params["layer2_linear+dfa.weight"].detach();
  const at::Tensor b2 = params["layer2_linear+dfa.bias"].detach();
  const at::Tensor wh = params["head.weight"].detach();
  const at::Tensor bh = params["head.bias"].detach();
  const at::Tensor f2 = buffers["layer2_linear+dfa.feedback"]; // to layer 0's output [K, 5]
  const at::Tensor fh = buffers["head_rule.feedback"];         // to layer 2's output [K, 4]
  ASSERT_EQ(f2.sizes(), (at::IntArrayRef{3, 5}));
  ASSERT_EQ(fh.sizes(), (at::IntArrayRef{3, 4}));

  // By hand: forward, output error e = (softmax - onehot) / N, then δₗ = (Bₗ e) ⊙ f'(aₗ).
  const at::Tensor h0 = at::tanh(at::linear(x, w0, b0));
  const at::Tensor h2 = at::tanh(at::linear(h0, w2, b2));
  const at::Tensor z = at::linear(h2, wh, bh);
  expect_close(logits.detach(), z, "forward");
  const at::Tensor e = (at::softmax(z, 1) - at::one_hot(y, 3).to(at::kDouble)) / 7.0;
  const at::Tensor d2 = e.mm(fh) * (1 - h2 * h2);
  const at::Tensor d0 = e.mm(f2) * (1 - h0 * h0);
  expect_close(params["head.weight"].grad(), e.t().mm(h2), "head: eᵀ h");
  expect_close(params["head.bias"].grad(), e.sum(0), "head bias");
  expect_close(params["layer2_linear+dfa.weight"].grad(), d2.t().mm(h0), "layer 2: δ₂ᵀ h₀");
  expect_close(params["layer2_linear+dfa.bias"].grad(), d2.sum(0), "layer 2 bias");
  expect_close(params["layer0_linear+dfa.weight"].grad(), d0.t().mm(x), "layer 0: δ₀ᵀ x");
  expect_close(params["layer0_linear+dfa.bias"].grad(), d0.sum(0), "layer 0 bias");
}

TEST(DirectFeedbackAlignment, ConvLayersReceiveTheProjectedErrorThroughTheirActivation) {
  at::manual_seed(7);
  const auto preset = engram::models::parse_preset(R"({"name": "dfa-conv", "learning": "dfa",
      "layers": [{"type": "conv2d", "out_channels": 2, "kernel": 3, "padding": 1},
                 {"type": "relu"}, {"type": "flatten"},
                 {"type": "linear", "out_features": 4}, {"type": "relu"}]})");
  auto net = engram::models::build_network(preset, engram::models::Shape{1, 5, 5}, 3);
  net->to(at::kDouble);
  const at::Tensor x = at::randn({3, 1, 5, 5}, kDouble);
  const at::Tensor y = at::randint(3, {3}, at::kLong);
  const at::Tensor logits = net->forward(x);
  at::cross_entropy_loss(logits, y).backward();
  auto params = net->named_parameters();
  auto buffers = net->named_buffers();
  const at::Tensor wc = params["layer0_conv2d+dfa.weight"];
  const at::Tensor f = buffers["layer3_linear+dfa.feedback"]; // to the flattened conv output
  ASSERT_EQ(f.sizes(), (at::IntArrayRef{3, 50}));
  const at::Tensor a =
      at::conv2d(x, wc.detach(), params["layer0_conv2d+dfa.bias"].detach(), {1, 1}, {1, 1});
  const at::Tensor e = (at::softmax(logits.detach(), 1) - at::one_hot(y, 3).to(at::kDouble)) / 3.0;
  const at::Tensor delta = e.mm(f).view(a.sizes()) * a.gt(0).to(at::kDouble);
  at::Tensor wr = wc.detach().clone().requires_grad_();
  (at::conv2d(x, wr, {}, {1, 1}, {1, 1}) * delta).sum().backward();
  expect_close(wc.grad(), wr.grad(), "conv weight gradient from (B e) ⊙ relu'");
}

TEST(DirectFeedbackAlignment, LayersWithoutADfaHeadAreRefused) {
  const auto preset = engram::models::parse_preset(R"({"name": "half-dfa", "layers": [
      {"type": "linear", "out_features": 5, "learning": "dfa"}, {"type": "relu"}]})");
  try {
    engram::models::build_network(preset, 6, 3);
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("set \"learning\": \"dfa\" for the whole model"),
              std::string::npos)
        << e.what();
  }
}

TEST(FeedbackLayers, ModuleContract) {
  using engram::testing::expect_deep_clone;
  using engram::testing::expect_moved_to;
  using engram::testing::expect_save_load;
  for (const auto kind :
       {FeedbackKind::kRandom, FeedbackKind::kSign, FeedbackKind::kSignBatchRandom,
        FeedbackKind::kSignFixedRandom, FeedbackKind::kDirect}) {
    const std::string what = engram::layers::to_string(kind);
    at::manual_seed(8);
    FeedbackLinear lin(FeedbackLinearOptions(5, 3).feedback(kind).num_outputs(4));
    expect_deep_clone(lin, what + " linear");
    at::manual_seed(9);
    FeedbackLinear other(FeedbackLinearOptions(5, 3).feedback(kind).num_outputs(4));
    expect_save_load(lin, other, what + " linear");
    lin->to(at::kDouble);
    expect_moved_to(*lin, at::kDouble, what + " linear");
    const auto conv_options =
        FeedbackConv2dOptions(2, 3, 3).feedback(kind).num_outputs(4).input_height(5).input_width(5);
    at::manual_seed(8);
    FeedbackConv2d conv(conv_options);
    expect_deep_clone(conv, what + " conv2d");
    at::manual_seed(9);
    FeedbackConv2d conv_other(conv_options);
    expect_save_load(conv, conv_other, what + " conv2d");
    conv->to(at::kDouble);
    expect_moved_to(*conv, at::kDouble, what + " conv2d");
  }
  // A whole network under fa: the head rule's feedback matrix is saved and loaded with it.
  const auto preset = engram::models::parse_preset(
      R"({"name": "fa", "learning": "fa", "layers": [{"type": "linear", "out_features": 4}]})");
  at::manual_seed(1);
  auto a = engram::models::build_network(preset, 6, 3);
  at::manual_seed(2);
  auto b = engram::models::build_network(preset, 6, 3);
  ASSERT_NE(a->named_buffers().find("head_rule.feedback"), nullptr);
  EXPECT_FALSE(
      a->named_buffers()["head_rule.feedback"].equal(b->named_buffers()["head_rule.feedback"]));
  expect_save_load(a, b, "fa network");
  a->to(at::kDouble);
  expect_moved_to(*a, at::kDouble, "fa network");
}

} // namespace
