// SoftHebbLinear and SoftHebbConv2d (Journe et al. 2023): the update equals a hand computation,
// the conv update equals the rule summed over every patch, weights converge to the unit sphere,
// competition makes neurons specialise on clusters, no gradient reaches or passes the layers, the
// module contract holds, bad options are refused, and presets build them under a trained head.
#include <support/error_message.h>
#include <support/module_contract.h>

#include <engram/layers/hebbian/soft_hebb_conv2d.h>
#include <engram/layers/hebbian/soft_hebb_linear.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>

#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>

#include <cmath>
#include <sstream>
#include <vector>

namespace {

using namespace engram::layers;
using namespace engram::testing;

// The rule written out by hand for one neuron set: y = ±softmax(u / T), dw = sum y (x - u w).
std::vector<std::vector<double>> hand_delta(const std::vector<std::vector<double>>& w,
                                            const std::vector<std::vector<double>>& xs, double t,
                                            bool anti) {
  const size_t out = w.size();
  const size_t in = w[0].size();
  std::vector<std::vector<double>> d(out, std::vector<double>(in, 0.0));
  for (const auto& x : xs) {
    std::vector<double> u(out, 0.0);
    for (size_t k = 0; k < out; ++k) {
      for (size_t i = 0; i < in; ++i) {
        u[k] += w[k][i] * x[i];
      }
    }
    size_t winner = 0;
    double z = 0.0;
    for (size_t k = 0; k < out; ++k) {
      z += std::exp(u[k] / t);
      winner = u[k] > u[winner] ? k : winner;
    }
    for (size_t k = 0; k < out; ++k) {
      double y = std::exp(u[k] / t) / z;
      if (anti && k != winner) {
        y = -y;
      }
      for (size_t i = 0; i < in; ++i) {
        d[k][i] += y * (x[i] - u[k] * w[k][i]);
      }
    }
  }
  return d;
}

torch::Tensor to_tensor(const std::vector<std::vector<double>>& rows) {
  auto t = torch::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())},
                        torch::kFloat64);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[0].size(); ++c) {
      t[r][c] = rows[r][c];
    }
  }
  return t;
}

TEST(SoftHebbLinear, UpdateEqualsHandComputation) {
  const std::vector<std::vector<double>> w{{0.5, -1.0, 2.0}, {1.5, 0.25, 0.0}};
  const std::vector<std::vector<double>> xs{{1.0, 0.5, -0.5}, {0.2, -1.0, 1.0}};
  for (const bool anti : {true, false}) {
    for (const bool adaptive : {true, false}) {
      SoftHebbLinear layer(SoftHebbLinearOptions(3, 2)
                               .temperature(0.7)
                               .learning_rate(0.1)
                               .anti_hebbian(anti)
                               .adaptive_learning_rate(adaptive)
                               .learning_rate_power(0.5)
                               .normalize_update(false)
                               .activation(SoftHebbActivation::kNone));
      layer->to(torch::kFloat64);
      layer->weight.copy_(to_tensor(w));
      layer->train();
      const auto out = layer->forward(to_tensor(xs));
      EXPECT_TRUE(torch::allclose(out, to_tensor(xs).matmul(to_tensor(w).t())));
      const auto d = hand_delta(w, xs, 0.7, anti);
      for (size_t k = 0; k < 2; ++k) {
        double norm = 0.0;
        for (const double v : w[k]) {
          norm += v * v;
        }
        const double rate = adaptive ? 0.1 * std::sqrt(std::abs(std::sqrt(norm) - 1.0)) : 0.1;
        for (size_t i = 0; i < 3; ++i) {
          EXPECT_NEAR(layer->weight[k][i].item<double>(), w[k][i] + rate * d[k][i], 1e-6)
              << "anti " << anti << " adaptive " << adaptive << " w[" << k << "][" << i << "]";
        }
      }
      EXPECT_EQ(layer->steps(), 1);
    }
  }
}

TEST(SoftHebbLinear, NormalisedUpdateHasLargestStepEqualToTheRate) {
  torch::manual_seed(0);
  SoftHebbLinear layer(
      SoftHebbLinearOptions(5, 4).adaptive_learning_rate(false).learning_rate(0.01));
  const auto before = layer->weight.clone();
  layer->train();
  layer->forward(torch::rand({7, 5}));
  EXPECT_NEAR((layer->weight - before).abs().max().item<double>(), 0.01, 1e-6);
}

TEST(SoftHebbConv2d, UpdateEqualsTheRuleSummedOverEveryPatch) {
  torch::manual_seed(1);
  const int64_t c = 2, o = 3, k = 2, stride = 2, pad = 1;
  SoftHebbConv2d conv(SoftHebbConv2dOptions(c, o, k)
                          .stride(stride)
                          .padding(pad)
                          .temperature(0.5)
                          .learning_rate(0.05)
                          .normalize_update(false)
                          .init_radius(2.0));
  conv->to(torch::kFloat64);
  const auto x = torch::randn({2, c, 5, 4}, torch::kFloat64);
  const auto w0 = conv->weight.clone();
  // Every patch by hand: zero-padded windows, flattened as [C, k, k].
  const auto padded = torch::constant_pad_nd(x, {pad, pad, pad, pad}, 0.0);
  std::vector<std::vector<double>> patches;
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i + k <= padded.size(2); i += stride) {
      for (int64_t j = 0; j + k <= padded.size(3); j += stride) {
        const auto p = padded[b].slice(1, i, i + k).slice(2, j, j + k).contiguous().view({-1});
        std::vector<double> v(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
        patches.push_back(v);
      }
    }
  }
  std::vector<std::vector<double>> w(o);
  for (int64_t r = 0; r < o; ++r) {
    const auto row = w0[r].contiguous().view({-1});
    w[r].assign(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
  }
  const auto d = hand_delta(w, patches, 0.5, /*anti=*/true);
  conv->train();
  const auto out = conv->forward(x);
  EXPECT_EQ(out.sizes(), (torch::IntArrayRef{2, o, 3, 3}));
  const auto w1 = conv->weight.view({o, -1});
  for (int64_t r = 0; r < o; ++r) {
    const double rate = 0.05 * std::sqrt(std::abs(w0[r].norm().item<double>() - 1.0));
    for (int64_t i = 0; i < c * k * k; ++i) {
      EXPECT_NEAR(w1[r][i].item<double>(), w[r][i] + rate * d[r][i], 1e-6) << r << ", " << i;
    }
  }
}

TEST(SoftHebbLinear, WeightsConvergeToUnitNorm) {
  for (const double radius : {0.3, 5.0}) {
    torch::manual_seed(2);
    SoftHebbLinear layer(SoftHebbLinearOptions(12, 6).init_radius(radius).learning_rate(0.05));
    layer->train();
    for (int step = 0; step < 3000; ++step) {
      layer->forward(torch::rand({32, 12}));
    }
    const auto norms = layer->weight.norm(2, {1});
    EXPECT_LT((norms - 1.0).abs().max().item<double>(), 0.05)
        << "from radius " << radius << ": " << norms;
  }
}

TEST(SoftHebbConv2d, KernelsConvergeToUnitNorm) {
  torch::manual_seed(3);
  SoftHebbConv2d conv(SoftHebbConv2dOptions(1, 4, 3).init_radius(4.0).learning_rate(0.05));
  conv->train();
  for (int step = 0; step < 1500; ++step) {
    conv->forward(torch::rand({4, 1, 8, 8}));
  }
  const auto norms = conv->weight.flatten(1).norm(2, {1});
  EXPECT_LT((norms - 1.0).abs().max().item<double>(), 0.05) << norms;
}

TEST(SoftHebbLinear, CompetitionMakesNeuronsSpecialiseOnClusters) {
  // Four clusters around orthogonal centroids, eight competing neurons: each centroid ends up with
  // its own neuron, aligned with it.
  torch::manual_seed(4);
  const int64_t dim = 16, clusters = 4;
  const auto centroids = torch::eye(dim).slice(0, 0, clusters) * 0.8 + 0.2 / std::sqrt(dim);
  SoftHebbLinear layer(SoftHebbLinearOptions(dim, 2 * clusters).temperature(0.05).init_radius(2.0));
  layer->train();
  for (int step = 0; step < 2000; ++step) {
    const auto which = torch::randint(0, clusters, {32}, torch::kLong);
    layer->forward(centroids.index_select(0, which) + 0.05 * torch::randn({32, dim}));
  }
  const auto w = layer->weight / layer->weight.norm(2, {1}, true);
  const auto c = centroids / centroids.norm(2, {1}, true);
  const auto cosines = c.matmul(w.t()); // [clusters, neurons]
  const auto best = cosines.max(1);
  EXPECT_GT(std::get<0>(best).min().item<double>(), 0.95) << cosines;
  const auto owner = std::get<1>(best);
  EXPECT_EQ(std::get<0>(at::_unique(owner)).numel(), clusters)
      << "one neuron per cluster: " << cosines;
}

TEST(SoftHebbLinear, NoGradientReachesOrPassesTheLayer) {
  torch::manual_seed(5);
  SoftHebbLinear layer(SoftHebbLinearOptions(6, 4));
  EXPECT_TRUE(layer->parameters().empty());
  const auto x = torch::rand({3, 6}, torch::requires_grad());
  layer->train();
  const auto y = layer->forward(x);
  EXPECT_FALSE(y.requires_grad());
  layer->eval();
  const auto before = layer->weight.clone();
  layer->forward(x);
  EXPECT_TRUE(torch::equal(before, layer->weight)) << "eval mode must not learn";
  SoftHebbConv2d conv(SoftHebbConv2dOptions(1, 3, 3));
  EXPECT_TRUE(conv->parameters().empty());
  conv->train();
  EXPECT_FALSE(conv->forward(torch::rand({2, 1, 5, 5}, torch::requires_grad())).requires_grad());
}

TEST(SoftHebbLinear, TriangleActivationSubtractsTheMeanOverUnits) {
  SoftHebbLinear layer(SoftHebbLinearOptions(2, 3).init_radius(1.5));
  layer->eval();
  layer->weight.copy_(torch::tensor({{1.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}}));
  // u = [1, 2, 3], mean 2 -> [0, 0, 1]
  const auto y = layer->forward(torch::tensor({{1.0, 2.0}}));
  EXPECT_TRUE(torch::allclose(y, torch::tensor({{0.0, 0.0, 1.0}}))) << y;
}

TEST(SoftHebbContract, CloneSaveLoadToAndPrint) {
  torch::manual_seed(6);
  SoftHebbLinear layer(SoftHebbLinearOptions(6, 4).temperature(0.5));
  layer->train();
  layer->forward(torch::rand({8, 6}));
  auto copy = expect_deep_clone(layer, "SoftHebbLinear");
  EXPECT_EQ(copy->steps(), 1);
  copy->forward(torch::rand({8, 6}));
  EXPECT_EQ(layer->steps(), 1);
  SoftHebbLinear fresh(SoftHebbLinearOptions(6, 4).temperature(0.5));
  expect_save_load(layer, fresh, "SoftHebbLinear");
  layer->to(torch::kFloat64);
  expect_moved_to(*layer, torch::kFloat64, "SoftHebbLinear");
  std::ostringstream s;
  layer->pretty_print(s);
  EXPECT_NE(s.str().find("engram::SoftHebbLinear(in_features=6, out_features=4, temperature=0.5"),
            std::string::npos)
      << s.str();
  torch::nn::Sequential seq(layer);
  EXPECT_EQ(seq->forward(torch::rand({2, 6}, torch::kFloat64)).sizes(), (torch::IntArrayRef{2, 4}));

  SoftHebbConv2d conv(SoftHebbConv2dOptions(2, 3, 3).padding(1));
  conv->train();
  conv->forward(torch::rand({2, 2, 6, 6}));
  auto conv_copy = expect_deep_clone(conv, "SoftHebbConv2d");
  SoftHebbConv2d conv_fresh(SoftHebbConv2dOptions(2, 3, 3).padding(1));
  expect_save_load(conv, conv_fresh, "SoftHebbConv2d");
  conv->to(torch::kFloat64);
  expect_moved_to(*conv, torch::kFloat64, "SoftHebbConv2d");
  torch::nn::AnyModule any(conv);
  EXPECT_EQ(any.forward(torch::rand({1, 2, 6, 6}, torch::kFloat64)).sizes(),
            (torch::IntArrayRef{1, 3, 6, 6}));
}

TEST(SoftHebbContract, RefusesBadOptionsWithOneLineErrors) {
  EXPECT_ERROR_MENTIONS(SoftHebbLinear(SoftHebbLinearOptions(4, 1)),
                        "'out_features' expected >= 2 competing units, got 1");
  EXPECT_ERROR_MENTIONS(SoftHebbLinear(SoftHebbLinearOptions(4, 3).temperature(0.0)),
                        "'temperature' expected finite and > 0, got 0");
  EXPECT_ERROR_MENTIONS(SoftHebbLinear(SoftHebbLinearOptions(4, 3).learning_rate_power(5.0)),
                        "'learning_rate_power' expected in (0, 4], got 5");
  EXPECT_ERROR_MENTIONS(SoftHebbConv2d(SoftHebbConv2dOptions(1, 3, 0)),
                        "'kernel_size' expected >= 1, got 0");
  EXPECT_ERROR_MENTIONS(SoftHebbConv2d(SoftHebbConv2dOptions(1, 3, 3).init_radius(-1.0)),
                        "'init_radius' expected finite and > 0, got -1");
  SoftHebbLinear layer(SoftHebbLinearOptions(4, 3));
  EXPECT_ERROR_MENTIONS(layer->forward(torch::rand({2, 5})), "argument 'x' expected [B, 4]");
  SoftHebbConv2d conv(SoftHebbConv2dOptions(1, 3, 3));
  EXPECT_ERROR_MENTIONS(conv->forward(torch::rand({2, 2, 5, 5})),
                        "argument 'x' expected [B, 1, H, W]");
}

TEST(SoftHebbPreset, LayersLearnWhileTheHeadTrainsByBackprop) {
  torch::manual_seed(7);
  const auto preset = engram::models::parse_preset(R"({
    "name": "softhebb-test",
    "layers": [
      {"type": "softhebb-conv2d", "out_channels": 4, "kernel": 3, "padding": 1,
       "temperature": 0.5},
      {"type": "flatten"},
      {"type": "softhebb-linear", "out_features": 8, "activation": "relu"}
    ]})");
  auto net = engram::models::build_network(preset, engram::models::Shape{1, 6, 6}, 3);
  EXPECT_EQ(net->parameters().size(), 2u) << "only the head's weight and bias";
  const auto buffers_before = net->buffers()[0].clone();
  net->train();
  const auto logits = net->forward(torch::rand({5, 1, 6, 6}));
  torch::nn::functional::cross_entropy(logits, torch::randint(0, 3, {5}, torch::kLong)).backward();
  EXPECT_TRUE(net->head()->weight.grad().defined());
  EXPECT_FALSE(torch::equal(buffers_before, net->buffers()[0])) << "the conv layer learned";
  EXPECT_ERROR_MENTIONS(
      engram::models::build_network(
          engram::models::parse_preset(
              R"({"name": "bad", "layers": [{"type": "softhebb-linear", "out_features": 4,
                 "activation": "sigmoid"}]})"),
          int64_t{6}, 3),
      ".activation: expected one of triangle, relu, none; got 'sigmoid'");
}

} // namespace
