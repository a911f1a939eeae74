// Predictive coding (Whittington & Bogacz 2017): with small output errors and enough inference
// steps, the local weight updates approach backprop's gradients; fewer steps agree less; bad
// options and unsupported layers are refused with a one-line error. All in float64.
#include <support/error_message.h>

#include <engram/layers/learning/predictive_coding.h>
#include <engram/models/network.h>

#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

using engram::layers::predictive_coding_gradients;
using engram::layers::PredictiveCodingOptions;
using engram::models::Network;
using engram::models::NetworkLayer;

template <typename Activation>
NetworkLayer activation(const std::string& name, int64_t width) {
  return NetworkLayer{name, torch::nn::AnyModule(Activation()), width, true};
}

NetworkLayer linear(int64_t in, int64_t out) {
  return NetworkLayer{"linear", torch::nn::AnyModule(torch::nn::Linear(in, out)), out, false};
}

// 6 -> 8 (tanh) -> 7 (sigmoid) -> 5 (relu) -> head 3, in float64.
Network small_mlp(uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<NetworkLayer> body{linear(6, 8), activation<torch::nn::Tanh>("tanh", 8),
                                 linear(8, 7), activation<torch::nn::Sigmoid>("sigmoid", 7),
                                 linear(7, 5), activation<torch::nn::ReLU>("relu", 5)};
  Network net(std::move(body), 6, 3);
  net->to(torch::kFloat64);
  return net;
}

struct Batch {
  torch::Tensor x, y;
};

Batch batch(uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::randn({5, 6}, torch::kFloat64), torch::randint(0, 3, {5}, torch::kLong)};
}

// Small output errors: the cross-entropy scaled by this factor.
constexpr double kLossScale = 1e-3;

torch::Tensor scaled_loss(const torch::Tensor& logits, const torch::Tensor& y) {
  return kLossScale * torch::nn::functional::cross_entropy(logits, y);
}

std::vector<torch::Tensor> grads_of(Network& net) {
  std::vector<torch::Tensor> g;
  for (const auto& p : net->parameters()) {
    g.push_back(p.grad().clone());
  }
  return g;
}

std::vector<torch::Tensor> backprop_grads(Network& net, const Batch& b) {
  net->zero_grad();
  scaled_loss(net->forward(b.x), b.y).backward();
  return grads_of(net);
}

std::vector<torch::Tensor> pc_grads(Network& net, const Batch& b, int64_t steps) {
  net->zero_grad();
  predictive_coding_gradients(
      *net, b.x, [&](const torch::Tensor& logits) { return scaled_loss(logits, b.y); },
      PredictiveCodingOptions().inference_steps(steps).inference_rate(0.1));
  return grads_of(net);
}

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  const double na = a.norm().item<double>();
  const double nb = b.norm().item<double>();
  if (na == 0.0 || nb == 0.0) {
    return 0.0;
  }
  return (a * b).sum().item<double>() / (na * nb);
}

TEST(PredictiveCoding, UpdatesApproachBackpropGradientsPerLayer) {
  for (uint64_t seed : {0, 1, 2}) {
    auto net = small_mlp(seed);
    const Batch b = batch(10 + seed);
    const auto bp = backprop_grads(net, b);
    const auto before = net->parameters()[0].clone();
    const auto pc = pc_grads(net, b, 300);
    EXPECT_TRUE(torch::equal(before, net->parameters()[0])) << "weights must not change";
    ASSERT_EQ(bp.size(), 8u); // 4 linear layers, weight and bias each
    ASSERT_EQ(pc.size(), bp.size());
    for (size_t i = 0; i < bp.size(); ++i) {
      EXPECT_GT(cosine(pc[i], bp[i]), 0.99) << "seed " << seed << ", parameter " << i;
      // Not only the direction: the magnitude matches backprop's too.
      EXPECT_NEAR(pc[i].norm().item<double>() / bp[i].norm().item<double>(), 1.0, 0.05)
          << "seed " << seed << ", parameter " << i;
    }
  }
}

TEST(PredictiveCoding, MoreInferenceStepsAgreeMoreWithBackprop) {
  // Agreement in direction and size: the relative distance |pc - bp| / |bp| over all parameters.
  // Errors reach one layer further down per step, so after one step the first layers get no
  // update; the size of the updates converges with the relaxation.
  auto net = small_mlp(3);
  const Batch b = batch(13);
  const auto bp = backprop_grads(net, b);
  auto distance = [&](int64_t steps) {
    const auto pc = pc_grads(net, b, steps);
    double diff = 0.0, norm = 0.0;
    for (size_t i = 0; i < bp.size(); ++i) {
      diff += (pc[i] - bp[i]).square().sum().item<double>();
      norm += bp[i].square().sum().item<double>();
    }
    return std::sqrt(diff / norm);
  };
  const std::vector<int64_t> steps{1, 3, 10, 30, 300};
  std::vector<double> d;
  for (const auto s : steps) {
    d.push_back(distance(s));
  }
  for (size_t k = 1; k < steps.size(); ++k) {
    EXPECT_LT(d[k], d[k - 1]) << steps[k] << " steps vs " << steps[k - 1] << " steps";
  }
  EXPECT_GT(d.front(), 0.1);
  EXPECT_LT(d.back(), 0.01);
}

TEST(PredictiveCoding, AccumulatesIntoGradLikeBackward) {
  auto net = small_mlp(4);
  const Batch b = batch(14);
  const auto once = pc_grads(net, b, 50);
  predictive_coding_gradients(
      *net, b.x, [&](const torch::Tensor& logits) { return scaled_loss(logits, b.y); },
      PredictiveCodingOptions().inference_steps(50).inference_rate(0.1));
  const auto twice = grads_of(net);
  for (size_t i = 0; i < once.size(); ++i) {
    EXPECT_TRUE(torch::allclose(twice[i], 2 * once[i]));
  }
}

TEST(PredictiveCoding, RefusesBadOptionsAndLayersWithOneLineErrors) {
  auto net = small_mlp(5);
  const Batch b = batch(15);
  const auto loss = [&](const torch::Tensor& logits) {
    return torch::nn::functional::cross_entropy(logits, b.y);
  };
  EXPECT_ERROR_MENTIONS(
      predictive_coding_gradients(*net, b.x, loss, PredictiveCodingOptions().inference_steps(0)),
      "'inference_steps' expected in [1, 100000], got 0");
  EXPECT_ERROR_MENTIONS(
      predictive_coding_gradients(*net, b.x, loss, PredictiveCodingOptions().inference_rate(1.5)),
      "'inference_rate' expected in (0, 1], got 1.5");
  EXPECT_ERROR_MENTIONS(
      predictive_coding_gradients(*net, torch::randn({5, 4}, torch::kFloat64), loss),
      "argument 'x' expected [B, 6]");
  std::vector<NetworkLayer> body{
      linear(6, 8), NetworkLayer{"dropout", torch::nn::AnyModule(torch::nn::Dropout()), 8, false}};
  Network with_dropout(std::move(body), 6, 3);
  with_dropout->to(torch::kFloat64);
  EXPECT_ERROR_MENTIONS(predictive_coding_gradients(*with_dropout, b.x, loss),
                        "network layer 'layer1_dropout' (dropout) is not supported");
  const std::string message =
      engram::testing::error_of([&] { predictive_coding_gradients(*with_dropout, b.x, loss); });
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

} // namespace
