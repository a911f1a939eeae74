// The plastic and Hebbian layer types of presets, and the shipped presets that use them.
#include <engram/models/bio_layers.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include <test_paths.h>

#include <algorithm>
#include <string>

namespace engram::models {
namespace {

Preset shipped(const std::string& name) {
  return load_preset(std::string(ENGRAM_SOURCE_DIR) + "/models/" + name + ".json");
}

TEST(BioLayers, ShippedBioPresetsLoadAndBuild) {
  const Preset plastic = shipped("mlp-plastic-2x400");
  Network net = build_network(plastic, 784, 10);
  EXPECT_EQ(net->forward(at::rand({3, 784})).sizes(), (std::vector<int64_t>{3, 10}));
  EXPECT_EQ(net->gate_widths(), (std::vector<int64_t>{400, 400}));
  bool has_alpha = false;
  for (const auto& p : net->named_parameters())
    has_alpha |= p.key().find("alpha") != std::string::npos;
  EXPECT_TRUE(has_alpha) << "the plastic layer's alpha is a trained parameter";

  const Preset hebb = shipped("hebbian-2000");
  Network h = build_network(hebb, 784, 10);
  EXPECT_EQ(h->forward(at::rand({3, 784})).sizes(), (std::vector<int64_t>{3, 10}));
  EXPECT_EQ(h->gate_widths(), (std::vector<int64_t>{2000}));
}

TEST(BioLayers, BadOptionsNameTheirPath) {
  auto error_of = [](const std::string& json) -> std::string {
    try {
      build_network(parse_preset(json, "p.json"), 4, 2);
    } catch (const c10::Error& e) {
      return e.what_without_backtrace();
    }
    return "(no error)";
  };
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [{"type": "plastic_linear", "out_features": 3, "rule": "bcm"}]})"),
      ::testing::HasSubstr("$.layers[0].rule: expected one of hebb, oja; got 'bcm'"));
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [{"type": "hebbian_linear", "out_features": 3, "activation": "gelu"}]})"),
      ::testing::HasSubstr(
          "$.layers[0].activation: expected one of relu, tanh, sigmoid, none; got 'gelu'"));
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [{"type": "plastic_linear", "out_features": 3, "etaa": 0.1}]})"),
      ::testing::HasSubstr("$.layers[0].etaa: unknown key"));
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [{"type": "hebbian_linear", "out_features": 3, "unit_norm": 1}]})"),
      ::testing::HasSubstr("$.layers[0].unit_norm: expected bool"));
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [{"type": "plastic_linear", "out_features": 3, "eta": "fast"}]})"),
      ::testing::HasSubstr("$.layers[0].eta: expected number, got string"));
  EXPECT_THAT(
      error_of(
          R"({"name": "x", "layers": [], "strategies": {"hebbian-readout": {"body_task": 1}}})"),
      ::testing::HasSubstr("$.strategies.hebbian-readout.body_task: unknown key"));
  EXPECT_THAT(
      error_of(R"({"name": "x", "layers": [{"type": "hebbian_linear", "out_features": 0}]})"),
      ::testing::HasSubstr("$.layers[0].out_features: expected a positive integer, got 0"));
}

// Each sample's own trace changes its output: the layer is not the plain linear map x W + b.
TEST(BioLayers, PlasticLayerReadsThroughTheImprintedTrace) {
  torch::manual_seed(0);
  layers::PlasticLinearOptions o(5, 4);
  o.activation(Activation::kNone).alpha_init(0.5).eta(0.5);
  PlasticFeedForward layer(o);
  const at::Tensor x = at::rand({2, 5});
  const at::Tensor y = layer->forward(x);
  const auto& p = *layer->plastic;
  const at::Tensor first = at::matmul(x, p.weight.t()) + p.bias; // the imprinting pass (H = 0)
  // Hebb from H = 0: H = eta x (x) y1, read as x (W + alpha * H).
  const at::Tensor trace = p.eta * x.unsqueeze(2) * first.unsqueeze(1);
  const at::Tensor expected =
      at::matmul(x.unsqueeze(1), p.weight.t() + p.alpha.t() * trace).squeeze(1) + p.bias;
  EXPECT_TRUE(at::allclose(y, expected, 1e-5, 1e-6));
  EXPECT_FALSE(at::allclose(y, first, 1e-3, 1e-3));
  // Independent of the rest of the batch: the trace is per sample.
  EXPECT_TRUE(at::allclose(layer->forward(x.narrow(0, 0, 1)), y.narrow(0, 0, 1), 1e-5, 1e-6));
}

// The closed form of the two-pass episode equals the layer's own two passes, values and
// gradients, for both rules and every shape of alpha.
TEST(BioLayers, PlasticClosedFormEqualsTheLayersEpisode) {
  for (auto rule : {HebbianRule::kHebb, HebbianRule::kOja}) {
    for (auto shape : {layers::AlphaShape::kPerConnection, layers::AlphaShape::kPerNeuron,
                       layers::AlphaShape::kScalar}) {
      torch::manual_seed(3);
      layers::PlasticLinearOptions o(6, 5);
      o.rule(rule).alpha_shape(shape).activation(Activation::kTanh).eta(0.3);
      PlasticFeedForward layer(o);
      {
        at::NoGradGuard no_grad;
        layer->plastic->alpha.uniform_(-1, 1);
      }
      const at::Tensor x = at::randn({4, 6});
      const at::Tensor closed = layer->forward(x);
      auto& p = *layer->plastic;
      const auto params = layer->parameters();
      const auto g_closed = torch::autograd::grad({closed.square().sum()}, params);
      p.reset_state(4);
      p.forward(x);
      const at::Tensor episode = p.forward(x);
      const auto g_episode = torch::autograd::grad({episode.square().sum()}, params);
      const std::string what = engram::to_string(rule) + "/" + engram::to_string(shape);
      EXPECT_TRUE(at::allclose(closed, episode, 1e-5, 1e-6)) << what;
      EXPECT_FALSE(at::allclose(closed, at::tanh(at::matmul(x, p.weight.t()) + p.bias), 1e-3, 1e-3))
          << what << ": the trace changes the output";
      for (size_t i = 0; i < params.size(); ++i)
        EXPECT_TRUE(at::allclose(g_closed[i], g_episode[i], 1e-4, 1e-5)) << what << " grad " << i;
    }
  }
}

TEST(BioLayers, HebbianFeaturesLearnLocallyAndNeverByBackprop) {
  torch::manual_seed(0);
  Network net = build_network(shipped("hebbian-2000"), 784, 10);
  auto named = net->named_parameters();
  at::Tensor w = named["layer0_hebbian_linear.hebbian.weight"];
  const at::Tensor w0 = w.detach().clone();
  const at::Tensor x = at::rand({32, 784});
  net->eval();
  net->forward(x);
  EXPECT_TRUE(at::equal(w, w0)) << "no learning in evaluation mode";
  net->train();
  at::Tensor loss = net->forward(x).logsumexp(1).mean();
  loss.backward();
  EXPECT_FALSE(w.grad().defined()) << "backprop never reaches the Hebbian weights";
  EXPECT_TRUE(named["head.weight"].grad().defined());
  EXPECT_FALSE(at::equal(w, w0)) << "a training forward is a learn() step";
  // Unit-norm rows after the rule's step.
  EXPECT_TRUE(at::allclose(w.detach().norm(2, 1), at::ones({2000}), 1e-4, 1e-4));
}

// The plastic MLP learns a small classification problem by backprop through its trace.
TEST(BioLayers, PlasticPresetTrains) {
  at::set_num_threads(1);
  torch::manual_seed(1);
  const Preset p = parse_preset(R"({"name": "x", "layers": [
      {"type": "linear", "out_features": 32}, {"type": "relu"},
      {"type": "plastic_linear", "out_features": 32, "activation": "relu"}]})",
                                "p.json");
  Network net = build_network(p, 10, 3);
  const at::Tensor centres = at::randn({3, 10}) * 2;
  const at::Tensor y = at::randint(3, {300}, at::kLong);
  const at::Tensor x = centres.index_select(0, y) + at::randn({300, 10});
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
  const at::Tensor alpha0 =
      net->named_parameters()["layer2_plastic_linear.plastic.alpha"].detach().clone();
  for (int i = 0; i < 150; ++i) {
    opt.zero_grad();
    at::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
  }
  const double acc = (net->forward(x).argmax(1) == y).to(at::kDouble).mean().item<double>();
  EXPECT_GT(acc, 0.9);
  EXPECT_FALSE(at::equal(net->named_parameters()["layer2_plastic_linear.plastic.alpha"], alpha0))
      << "alpha trains by backprop through the trace";
}

} // namespace
} // namespace engram::models

namespace engram::models {
namespace {

// Registry completeness: every registered layer type builds from its required keys alone and
// runs forward in a network.
TEST(LayerRegistry, EveryRegisteredTypeBuildsAndRuns) {
  const auto names = layer_type_names();
  for (const char* built_in :
       {"linear", "relu", "tanh", "sigmoid", "plastic_linear", "hebbian_linear"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), built_in), names.end()) << built_in;
  }
  for (const auto& name : names) {
    const LayerType* type = find_layer_type(name);
    ASSERT_NE(type, nullptr) << name;
    std::string layer = "{\"type\": \"" + name + "\"";
    for (const auto& key : type->required) {
      ASSERT_EQ(type->params.at(key), ParamKind::kInteger) << name << "." << key;
      layer += ", \"" + key + "\": 4";
    }
    layer += "}";
    const auto preset = parse_preset("{\"name\": \"t\", \"layers\": [" + layer + "]}");
    torch::manual_seed(0);
    // Shape-aware types (convolutional, activations) run on images [2, 6, 6], the others flat.
    const bool images = static_cast<bool>(type->build_shaped);
    auto net = images ? build_network(preset, Shape{2, 6, 6}, 3) : build_network(preset, 6, 3);
    EXPECT_EQ(net->forward(torch::rand({2, images ? 72 : 6})).sizes(), (c10::IntArrayRef{2, 3}))
        << name;
  }
}

} // namespace
} // namespace engram::models
