// Alignment: while a network learns by feedback alignment or direct feedback alignment, the angle
// between each hidden layer's update and the true (backprop) gradient falls below 90 degrees: the
// forward weights come to align with the fixed feedback matrices (Lillicrap et al. 2016,
// Nøkland 2016).
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace {

const char* kLayers = R"([{"type": "linear", "out_features": 64}, {"type": "tanh"},
                          {"type": "linear", "out_features": 64}, {"type": "tanh"}])";

engram::models::Network mlp(const std::string& learning) {
  const std::string rule = learning.empty() ? "" : R"("learning": ")" + learning + R"(", )";
  return engram::models::build_network(
      engram::models::parse_preset(R"({"name": "m", )" + rule + R"("layers": )" + kLayers + "}"),
      20, 4);
}

double angle_degrees(const at::Tensor& a, const at::Tensor& b) {
  const double cosine =
      (a * b).sum().item<double>() / (a.norm().item<double>() * b.norm().item<double>() + 1e-30);
  return std::acos(std::max(-1.0, std::min(1.0, cosine))) * 180.0 / M_PI;
}

// Trains a 20-64-64-4 tanh network by `rule` with SGD on a teacher's labels; returns, per hidden
// layer, the mean angle between the rule's update and backprop's gradient over the last 50 of
// 400 steps, and the training accuracy at the end.
std::pair<std::vector<double>, double> train_and_measure(const std::string& rule) {
  at::manual_seed(11);
  const at::Tensor teacher = at::randn({20, 4});
  auto net = mlp(rule);
  auto twin = mlp(""); // backprop's gradient at the same weights
  std::vector<double> angles(2, 0.0);
  double accuracy = 0;
  const int steps = 400;
  for (int step = 0; step < steps; ++step) {
    const at::Tensor x = at::randn({64, 20});
    const at::Tensor y = x.mm(teacher).argmax(1);
    net->zero_grad();
    const at::Tensor logits = net->forward(x);
    at::cross_entropy_loss(logits, y).backward();
    auto params = net->parameters();
    if (step >= steps - 50) {
      auto twin_params = twin->parameters();
      {
        at::NoGradGuard no_grad;
        for (size_t i = 0; i < params.size(); ++i)
          twin_params[i].copy_(params[i]);
      }
      twin->zero_grad();
      at::cross_entropy_loss(twin->forward(x), y).backward();
      // Hidden layers' weights: parameters 0 and 2 (weight, bias, weight, bias, head).
      angles[0] += angle_degrees(params[0].grad(), twin_params[0].grad()) / 50;
      angles[1] += angle_degrees(params[2].grad(), twin_params[2].grad()) / 50;
      accuracy += logits.argmax(1).eq(y).to(at::kDouble).mean().item<double>() / 50;
    }
    at::NoGradGuard no_grad;
    for (auto& p : params)
      p.sub_(p.grad() * 0.1);
  }
  return {angles, accuracy};
}

TEST(FeedbackAlignment, UpdatesAlignWithTheTrueGradient) {
  for (const std::string rule : {"fa", "dfa"}) {
    const auto [angles, accuracy] = train_and_measure(rule);
    for (size_t l = 0; l < angles.size(); ++l) {
      EXPECT_LT(angles[l], 90.0) << rule << ": hidden layer " << l;
      std::cout << rule << ": hidden layer " << l << " mean angle " << angles[l] << " deg\n";
    }
    EXPECT_GT(accuracy, 0.6) << rule << " learned the teacher (chance 0.25)";
  }
}

TEST(FeedbackAlignment, BackpropsUpdateIsTheGradient) {
  const auto [angles, accuracy] = train_and_measure("bp");
  for (double a : angles)
    EXPECT_LT(a, 0.1); // 0 up to float32 rounding (acos is steep near 1)
  EXPECT_GT(accuracy, 0.6);
}

} // namespace
