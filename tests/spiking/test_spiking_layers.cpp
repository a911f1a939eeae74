// LIF and ALIF steps and their surrogate gradients against hand computations in float64; the
// refractory period; the leaky tanh layer and the leaky readout against finite differences; and
// the one-line errors for bad options and inputs.
#include <support/error_message.h>

#include <engram/layers/spiking/alif_recurrent.h>
#include <engram/layers/spiking/leaky_readout.h>
#include <engram/layers/spiking/leaky_tanh_recurrent.h>
#include <engram/layers/spiking/lif_recurrent.h>
#include <engram/layers/spiking/surrogate_spike.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace {

using namespace engram::layers::spiking;

constexpr double kTol = 1e-12;

double hand_psi(double v, double threshold, double v_th, double gamma) {
  return gamma * std::max(0.0, 1.0 - std::abs(v - threshold) / v_th) / v_th;
}

at::Tensor f64(std::initializer_list<double> values, c10::IntArrayRef shape) {
  return torch::tensor(std::vector<double>(values), torch::kFloat64).reshape(shape);
}

TEST(SurrogateSpike, ForwardIsTheStepAndBackwardThePseudoDerivative) {
  const auto u = f64({-1.5, -0.5, 0.0, 0.25, 0.9, 2.0}, {6}).requires_grad_(true);
  const double gamma = 0.3;
  const auto z = spike_with_surrogate(u, gamma);
  EXPECT_TRUE(torch::equal(z, f64({0, 0, 0, 1, 1, 1}, {6})));
  z.sum().backward();
  const double expected[] = {0.0, 0.15, 0.3, 0.225, 0.03, 0.0};
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_NEAR(u.grad()[i].item<double>(), expected[i], kTol) << i;
  }
}

TEST(LifRecurrent, OneStepAndItsSurrogateGradientMatchAHandComputation) {
  const double v_th = 0.6, gamma = 0.3, tau = 20.0;
  LifRecurrent lif(LifRecurrentOptions(2, 2).threshold(v_th).dampening(gamma).tau_mem(tau));
  lif->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    lif->w_in.copy_(f64({0.4, -0.2, 0.1, 0.5}, {2, 2}));
    lif->w_rec.copy_(f64({0.0, 0.3, -0.25, 0.0}, {2, 2}));
  }
  auto s = lif->initial_state(1);
  s.v = f64({0.5, 0.2}, {1, 2}).requires_grad_(true);
  s.z = f64({1.0, 0.0}, {1, 2}).requires_grad_(true);
  const auto x = f64({1.0, 1.0}, {1, 2});
  const auto next = lif->step(x, s);
  // By hand: v = alpha v_prev + W_in x + W_rec z_prev - v_th z_prev.
  const double alpha = std::exp(-1.0 / tau);
  const double v0 = alpha * 0.5 + (0.4 - 0.2) + 0.0 - v_th * 1.0;
  const double v1 = alpha * 0.2 + (0.1 + 0.5) + (-0.25) - 0.0;
  EXPECT_NEAR(next.v[0][0].item<double>(), v0, kTol);
  EXPECT_NEAR(next.v[0][1].item<double>(), v1, kTol);
  EXPECT_EQ(next.z[0][0].item<double>(), v0 > v_th ? 1.0 : 0.0);
  EXPECT_EQ(next.z[0][1].item<double>(), v1 > v_th ? 1.0 : 0.0);
  const double psi0 = hand_psi(v0, v_th, v_th, gamma), psi1 = hand_psi(v1, v_th, v_th, gamma);
  ASSERT_GT(psi0, 0.0); // both inside the pseudo-derivative's support, so the test can fail
  ASSERT_GT(psi1, 0.0);
  const auto psi = lif->pseudo_derivative(next);
  EXPECT_NEAR(psi[0][0].item<double>(), psi0, kTol);
  EXPECT_NEAR(psi[0][1].item<double>(), psi1, kTol);

  const double c0 = 0.7, c1 = -1.3; // E = c · z
  (next.z * f64({c0, c1}, {1, 2})).sum().backward();
  // dE/dW_in[j][i] = c_j psi_j x_i; dE/dW_rec[j][i] = c_j psi_j z_prev_i.
  const double g[2] = {c0 * psi0, c1 * psi1};
  for (int j = 0; j < 2; ++j) {
    for (int i = 0; i < 2; ++i) {
      EXPECT_NEAR(lif->w_in.grad()[j][i].item<double>(), g[j] * 1.0, kTol);
      EXPECT_NEAR(lif->w_rec.grad()[j][i].item<double>(), g[j] * (i == 0 ? 1.0 : 0.0), kTol);
    }
    EXPECT_NEAR(s.v.grad()[0][j].item<double>(), g[j] * alpha, kTol);
  }
  // Through W_rec only: the reset -v_th z_prev carries no gradient (detach_reset).
  EXPECT_NEAR(s.z.grad()[0][0].item<double>(), g[1] * -0.25, kTol);
  EXPECT_NEAR(s.z.grad()[0][1].item<double>(), g[0] * 0.3, kTol);
}

TEST(LifRecurrent, ResetGradientWhenNotDetached) {
  const double v_th = 0.6;
  LifRecurrent lif(LifRecurrentOptions(1, 1).threshold(v_th).detach_reset(false));
  lif->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    lif->w_in.fill_(0.9);
    lif->w_rec.fill_(0.2);
  }
  auto s = lif->initial_state(1);
  s.z = f64({1.0}, {1, 1}).requires_grad_(true);
  s.v = f64({0.3}, {1, 1});
  const auto next = lif->step(f64({1.0}, {1, 1}), s);
  next.z.sum().backward();
  const double v = std::exp(-1.0 / 20.0) * 0.3 + 0.9 + 0.2 - v_th;
  EXPECT_NEAR(s.z.grad().item<double>(), hand_psi(v, v_th, v_th, 0.3) * (0.2 - v_th), kTol);
}

TEST(AlifRecurrent, OneStepAndItsSurrogateGradientMatchAHandComputation) {
  const double v_th = 0.5, gamma = 0.3, beta = 0.4, tau_a = 100.0;
  AlifRecurrent alif(
      AlifRecurrentOptions(1, 2).threshold(v_th).dampening(gamma).beta(beta).tau_adaptation(tau_a));
  alif->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    alif->w_in.copy_(f64({1.3, 0.6}, {2, 1}));
    alif->w_rec.copy_(f64({0.0, 0.1, 0.2, 0.0}, {2, 2}));
  }
  auto s = alif->initial_state(1);
  s.v = f64({0.1, 0.3}, {1, 2});
  s.z = f64({1.0, 0.0}, {1, 2}).requires_grad_(true);
  s.a = f64({0.5, 0.25}, {1, 2}).requires_grad_(true);
  const auto next = alif->step(f64({1.0}, {1, 1}), s);
  const double alpha = std::exp(-1.0 / 20.0), rho = std::exp(-1.0 / tau_a);
  const double a0 = rho * 0.5 + 1.0, a1 = rho * 0.25 + 0.0;
  const double thr0 = v_th + beta * a0, thr1 = v_th + beta * a1;
  const double v0 = alpha * 0.1 + 1.3 + 0.0 - v_th, v1 = alpha * 0.3 + 0.6 + 0.2;
  EXPECT_NEAR(next.a[0][0].item<double>(), a0, kTol);
  EXPECT_NEAR(next.a[0][1].item<double>(), a1, kTol);
  EXPECT_NEAR(next.v[0][0].item<double>(), v0, kTol);
  EXPECT_NEAR(next.v[0][1].item<double>(), v1, kTol);
  EXPECT_EQ(next.z[0][0].item<double>(), v0 > thr0 ? 1.0 : 0.0);
  EXPECT_EQ(next.z[0][1].item<double>(), v1 > thr1 ? 1.0 : 0.0);
  const double psi0 = hand_psi(v0, thr0, v_th, gamma), psi1 = hand_psi(v1, thr1, v_th, gamma);
  ASSERT_GT(psi0, 0.0);
  ASSERT_GT(psi1, 0.0);
  EXPECT_NEAR(alif->pseudo_derivative(next)[0][0].item<double>(), psi0, kTol);
  EXPECT_NEAR(alif->pseudo_derivative(next)[0][1].item<double>(), psi1, kTol);
  next.z.sum().backward();
  // dz_j/da_prev_j = -psi_j beta rho; dz/dz_prev_i = sum_j psi_j W_rec[j][i] - psi_i beta.
  EXPECT_NEAR(s.a.grad()[0][0].item<double>(), -psi0 * beta * rho, kTol);
  EXPECT_NEAR(s.a.grad()[0][1].item<double>(), -psi1 * beta * rho, kTol);
  EXPECT_NEAR(s.z.grad()[0][0].item<double>(), psi1 * 0.2 - psi0 * beta, kTol);
  EXPECT_NEAR(s.z.grad()[0][1].item<double>(), psi0 * 0.1 - psi1 * beta, kTol);
  EXPECT_NEAR(alif->w_in.grad()[0][0].item<double>(), psi0, kTol);
  EXPECT_NEAR(alif->w_in.grad()[1][0].item<double>(), psi1, kTol);
}

TEST(LifRecurrent, RefractoryNeuronsNeitherSpikeNorPassGradient) {
  LifRecurrent lif(LifRecurrentOptions(1, 1).threshold(0.5).refractory_steps(2));
  lif->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    lif->w_in.fill_(1.0);
    lif->w_rec.zero_();
  }
  // A strong constant drive: without refractoriness the neuron would spike every step.
  const auto x = torch::ones({6, 1, 1}, torch::kFloat64);
  const auto spikes = lif->forward(x).spikes.flatten();
  EXPECT_TRUE(torch::equal(spikes, f64({1, 0, 0, 1, 0, 0}, {6})));
  auto s = lif->step(x[0], lif->initial_state(1)); // spikes
  s = lif->step(x[0], s);                          // refractory
  EXPECT_EQ(s.z.item<double>(), 0.0);
  EXPECT_EQ(lif->pseudo_derivative(s).item<double>(), 0.0);

  LifRecurrent free(LifRecurrentOptions(1, 1).threshold(0.5));
  free->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    free->w_in.fill_(1.0);
    free->w_rec.zero_();
  }
  EXPECT_GT(free->forward(x).spikes.sum().item<double>(), 2.0);
}

// Central differences of a smooth loss through LeakyTanhRecurrent and LeakyReadout, in float64.
TEST(LeakyTanhRecurrent, BpttGradientMatchesFiniteDifferences) {
  torch::manual_seed(3);
  LeakyTanhRecurrent rnn(LeakyTanhRecurrentOptions(3, 4).tau(4));
  LeakyReadout readout(LeakyReadoutOptions(4, 2).tau_out(5));
  rnn->to(torch::kFloat64);
  readout->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    readout->bias.normal_();
  }
  const auto x = torch::randn({6, 2, 3}, torch::kFloat64);
  const auto target = torch::randn({6, 2, 2}, torch::kFloat64);
  const auto loss = [&] {
    return (readout->forward(rnn->forward(x).outputs) - target).pow(2).sum();
  };
  loss().backward();
  std::vector<at::Tensor> params = rnn->parameters();
  for (const auto& p : readout->parameters()) {
    params.push_back(p);
  }
  const double h = 1e-6;
  for (auto& p : params) {
    const auto flat = p.detach().view({-1});
    const auto grad = p.grad().view({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double saved = flat[i].item<double>();
      torch::NoGradGuard no_grad;
      flat[i] = saved + h;
      const double up = loss().item<double>();
      flat[i] = saved - h;
      const double down = loss().item<double>();
      flat[i] = saved;
      EXPECT_NEAR(grad[i].item<double>(), (up - down) / (2 * h), 1e-6);
    }
  }
}

TEST(LeakyReadout, IsALeakyIntegratorOfItsInput) {
  LeakyReadout readout(LeakyReadoutOptions(2, 1).tau_out(10));
  readout->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    readout->weight.copy_(f64({0.5, -1.0}, {1, 2}));
    readout->bias.fill_(0.1);
  }
  const auto z = f64({1, 0, 0, 1, 1, 1}, {3, 1, 2});
  const auto y = readout->forward(z).flatten();
  const double k = std::exp(-0.1);
  double expected = 0;
  const double drive[] = {0.5, -1.0, -0.5};
  for (int t = 0; t < 3; ++t) {
    expected = k * expected + drive[t] + 0.1;
    EXPECT_NEAR(y[t].item<double>(), expected, kTol);
  }
}

TEST(SpikingLayers, RefuseBadOptionsAndInputsNamingTheArgument) {
  EXPECT_ERROR_MENTIONS(LifRecurrent(LifRecurrentOptions(0, 3)), "input_size");
  EXPECT_ERROR_MENTIONS(LifRecurrent(LifRecurrentOptions(2, 3).tau_mem(0)), "tau_mem");
  EXPECT_ERROR_MENTIONS(LifRecurrent(LifRecurrentOptions(2, 3).threshold(-1)), "threshold");
  EXPECT_ERROR_MENTIONS(LifRecurrent(LifRecurrentOptions(2, 3).dampening(0)), "dampening");
  EXPECT_ERROR_MENTIONS(LifRecurrent(LifRecurrentOptions(2, 3).refractory_steps(-1)),
                        "refractory_steps");
  EXPECT_ERROR_MENTIONS(AlifRecurrent(AlifRecurrentOptions(2, 3).beta(-0.1)), "beta");
  EXPECT_ERROR_MENTIONS(AlifRecurrent(AlifRecurrentOptions(2, 3).tau_adaptation(0)),
                        "tau_adaptation");
  EXPECT_ERROR_MENTIONS(LeakyTanhRecurrent(LeakyTanhRecurrentOptions(2, 3).tau(0)), "tau");
  EXPECT_ERROR_MENTIONS(LeakyReadout(LeakyReadoutOptions(3, 1).tau_out(-2)), "tau_out");
  LifRecurrent lif(LifRecurrentOptions(2, 3));
  EXPECT_ERROR_MENTIONS(lif->forward(torch::zeros({4, 1, 5})), "argument 'x' expected shape");
  EXPECT_ERROR_MENTIONS(lif->forward(torch::zeros({4, 1, 2}, torch::kFloat64)), "dtype");
  auto bad = lif->initial_state(2);
  bad.v = torch::zeros({2, 4});
  EXPECT_ERROR_MENTIONS(lif->forward(torch::zeros({4, 2, 2}), bad), "state.v");
  EXPECT_ERROR_MENTIONS(spike_with_surrogate(torch::zeros({2}), 0.0), "gamma");
}

} // namespace
