// e-prop's gradients against autograd's, in float64. e-prop leaves out only a unit's effect on
// later steps through W_rec: where that effect is absent (one step, zero recurrent weights) or cut
// from BPTT too (truncate_recurrent_gradient), the two gradients must agree to rounding; with
// recurrent weights and full BPTT they must differ.
#include <engram/layers/spiking/eprop.h>

#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include <vector>

namespace {

using namespace engram::layers::spiking;

constexpr double kTol = 1e-10;

// E = sum_t 0.5 |y^t - y*^t|², from step `first` on (no loss before).
StepLoss squared_error(const at::Tensor& target, int64_t first = 0) {
  return [target, first](int64_t t, const at::Tensor& y) -> at::Tensor {
    if (t < first) {
      return {};
    }
    return 0.5 * (y - target[t]).pow(2).sum();
  };
}

std::vector<at::Tensor> grads_of(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  }
  return grads;
}

void zero_grads(const std::vector<at::Tensor>& params) {
  for (auto p : params) {
    if (p.grad().defined()) {
      p.mutable_grad() = at::Tensor();
    }
  }
}

template <typename Layer>
std::vector<at::Tensor> all_parameters(Layer& layer, LeakyReadout& readout) {
  auto params = layer->parameters(); // w_in, w_rec
  for (const auto& p : readout->parameters()) {
    params.push_back(p); // weight, bias
  }
  return params;
}

// BPTT: autograd through the unrolled sequence.
template <typename Layer, typename Hidden>
std::vector<at::Tensor> bptt_gradients(Layer& layer, LeakyReadout& readout, const at::Tensor& x,
                                       const StepLoss& loss, Hidden hidden) {
  const auto params = all_parameters(layer, readout);
  zero_grads(params);
  const auto y = readout->forward(hidden(layer->forward(x)));
  at::Tensor total = torch::zeros({}, x.options());
  for (int64_t t = 0; t < y.size(0); ++t) {
    const auto value = loss(t, y[t]);
    if (value.defined()) {
      total = total + value;
    }
  }
  total.backward();
  return grads_of(params);
}

template <typename Layer>
std::vector<at::Tensor> eprop_gradients(Eprop& eprop, Layer& layer, LeakyReadout& readout,
                                        const at::Tensor& x, const StepLoss& loss,
                                        double* loss_value = nullptr) {
  const auto params = all_parameters(layer, readout);
  zero_grads(params);
  const auto result = eprop->accumulate_gradients(*layer, *readout, x, loss);
  if (loss_value != nullptr) {
    *loss_value = result.loss;
  }
  return grads_of(params);
}

const char* kNames[] = {"w_in", "w_rec", "readout.weight", "readout.bias"};

void expect_equal_gradients(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b,
                            const std::string& what) {
  ASSERT_EQ(a.size(), 4U);
  ASSERT_EQ(b.size(), 4U);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_GT(b[i].abs().max().item<double>(), 1e-6)
        << what << ": " << kNames[i] << " has no gradient to compare";
    EXPECT_LT((a[i] - b[i]).abs().max().item<double>(), kTol)
        << what << ": " << kNames[i] << "\ne-prop " << a[i] << "\nBPTT " << b[i];
  }
}

double relative_difference(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

const auto kSpikes = [](const SpikingOutput& o) { return o.spikes; };
const auto kRates = [](const LeakyTanhOutput& o) { return o.outputs; };

// Spiking input dense enough to keep the neurons near threshold.
at::Tensor spike_input(int64_t steps, int64_t batch, int64_t channels, double rate = 0.3) {
  return (torch::rand({steps, batch, channels}, torch::kFloat64) < rate).to(torch::kFloat64);
}

template <typename Holder>
void to_double(Holder& m) {
  m->to(torch::kFloat64);
}

TEST(EpropGradients, LeakyTanhSingleStepEqualsBptt) {
  torch::manual_seed(0);
  LeakyTanhRecurrent rnn(LeakyTanhRecurrentOptions(3, 5).tau(4));
  LeakyReadout readout(LeakyReadoutOptions(5, 2).tau_out(6));
  Eprop eprop(EpropOptions(5, 2));
  to_double(rnn);
  to_double(readout);
  const auto x = torch::randn({1, 4, 3}, torch::kFloat64);
  const auto target = torch::randn({1, 4, 2}, torch::kFloat64);
  const auto loss = squared_error(target);
  // W_rec z^0 = 0: its gradient is zero in both; the other three must match.
  const auto e = eprop_gradients(eprop, rnn, readout, x, loss);
  const auto b = bptt_gradients(rnn, readout, x, loss, kRates);
  for (size_t i : {0U, 2U, 3U}) {
    EXPECT_GT(b[i].abs().max().item<double>(), 1e-6) << kNames[i];
    EXPECT_LT((e[i] - b[i]).abs().max().item<double>(), kTol) << kNames[i];
  }
  EXPECT_EQ(e[1].abs().max().item<double>(), 0.0);
  EXPECT_EQ(b[1].abs().max().item<double>(), 0.0);
}

TEST(EpropGradients, LeakyTanhEqualsBpttTruncatedAtTheRecurrentWeights) {
  torch::manual_seed(1);
  LeakyTanhRecurrent rnn(LeakyTanhRecurrentOptions(3, 5).tau(4).truncate_recurrent_gradient(true));
  LeakyReadout readout(LeakyReadoutOptions(5, 2).tau_out(6));
  Eprop eprop(EpropOptions(5, 2));
  to_double(rnn);
  to_double(readout);
  const auto x = torch::randn({12, 3, 3}, torch::kFloat64);
  const auto target = torch::randn({12, 3, 2}, torch::kFloat64);
  const auto loss = squared_error(target, /*first=*/4);
  double eprop_loss = 0;
  const auto e = eprop_gradients(eprop, rnn, readout, x, loss, &eprop_loss);
  expect_equal_gradients(e, bptt_gradients(rnn, readout, x, loss, kRates), "truncated tanh");
  // The loss e-prop reports is the loss of the same forward pass.
  {
    torch::NoGradGuard no_grad;
    const auto y = readout->forward(rnn->forward(x).outputs);
    EXPECT_NEAR(eprop_loss, 0.5 * (y - target).narrow(0, 4, 8).pow(2).sum().item<double>(), 1e-9);
  }

  // Full BPTT differs: e-prop leaves out the recurrent propagation.
  rnn->options.truncate_recurrent_gradient(false);
  const auto full = bptt_gradients(rnn, readout, x, loss, kRates);
  EXPECT_GT(relative_difference(e[0], full[0]), 1e-3);
  EXPECT_LT((e[2] - full[2]).abs().max().item<double>(), kTol); // the readout's stays exact
}

TEST(EpropGradients, LifWithZeroRecurrentWeightsEqualsBptt) {
  torch::manual_seed(2);
  LifRecurrent lif(LifRecurrentOptions(6, 8).threshold(0.4).tau_mem(10));
  LeakyReadout readout(LeakyReadoutOptions(8, 2).tau_out(8));
  Eprop eprop(EpropOptions(8, 2));
  to_double(lif);
  to_double(readout);
  {
    torch::NoGradGuard no_grad;
    lif->w_rec.zero_();
  }
  const auto x = spike_input(30, 3, 6);
  const auto target = torch::randn({30, 3, 2}, torch::kFloat64);
  const auto loss = squared_error(target);
  const auto e = eprop_gradients(eprop, lif, readout, x, loss);
  expect_equal_gradients(e, bptt_gradients(lif, readout, x, loss, kSpikes), "LIF, W_rec = 0");
}

TEST(EpropGradients, LifEqualsTruncatedBpttAndDiffersFromFullBptt) {
  torch::manual_seed(3);
  const auto options = LifRecurrentOptions(6, 8).threshold(0.4).tau_mem(10).refractory_steps(2);
  LifRecurrent lif(LifRecurrentOptions(options).truncate_recurrent_gradient(true));
  LeakyReadout readout(LeakyReadoutOptions(8, 2).tau_out(8));
  Eprop eprop(EpropOptions(8, 2));
  to_double(lif);
  to_double(readout);
  const auto x = spike_input(30, 3, 6);
  const auto target = torch::randn({30, 3, 2}, torch::kFloat64);
  const auto loss = squared_error(target);
  const auto e = eprop_gradients(eprop, lif, readout, x, loss);
  expect_equal_gradients(e, bptt_gradients(lif, readout, x, loss, kSpikes), "truncated LIF");
  lif->options.truncate_recurrent_gradient(false);
  const auto full = bptt_gradients(lif, readout, x, loss, kSpikes);
  EXPECT_GT(relative_difference(e[0], full[0]), 1e-3);
}

TEST(EpropGradients, AlifWithZeroRecurrentWeightsEqualsBptt) {
  torch::manual_seed(4);
  // A strong, fast adaptation so that its eligibility vector matters within the sequence.
  AlifRecurrent alif(
      AlifRecurrentOptions(6, 8).threshold(0.4).tau_mem(10).tau_adaptation(15).beta(0.5));
  LeakyReadout readout(LeakyReadoutOptions(8, 2).tau_out(8));
  Eprop eprop(EpropOptions(8, 2));
  to_double(alif);
  to_double(readout);
  {
    torch::NoGradGuard no_grad;
    alif->w_rec.zero_();
  }
  const auto x = spike_input(40, 3, 6, 0.4);
  const auto labels = torch::tensor({0, 1, 1}, torch::kLong);
  const StepLoss loss = [&labels](int64_t t, const at::Tensor& y) -> at::Tensor {
    if (t < 25) {
      return {};
    }
    return torch::nn::functional::cross_entropy(y, labels);
  };
  const auto e = eprop_gradients(eprop, alif, readout, x, loss);
  const auto b = bptt_gradients(alif, readout, x, loss, kSpikes);
  expect_equal_gradients(e, b, "ALIF, W_rec = 0");
  // Without the adaptation's eligibility vector (beta's path) the gradient would be LIF's:
  // check that the path matters here, so that the equality above tests it.
  alif->options.beta(0.0);
  const auto without = bptt_gradients(alif, readout, x, loss, kSpikes);
  EXPECT_GT(relative_difference(without[0], b[0]), 1e-2);
}

TEST(EpropGradients, AlifEqualsTruncatedBptt) {
  torch::manual_seed(5);
  AlifRecurrent alif(AlifRecurrentOptions(6, 8)
                         .threshold(0.4)
                         .tau_mem(10)
                         .tau_adaptation(15)
                         .beta(0.5)
                         .truncate_recurrent_gradient(true));
  LeakyReadout readout(LeakyReadoutOptions(8, 2).tau_out(8));
  Eprop eprop(EpropOptions(8, 2));
  to_double(alif);
  to_double(readout);
  const auto x = spike_input(30, 2, 6, 0.4);
  const auto target = torch::randn({30, 2, 2}, torch::kFloat64);
  const auto loss = squared_error(target, 5);
  expect_equal_gradients(eprop_gradients(eprop, alif, readout, x, loss),
                         bptt_gradients(alif, readout, x, loss, kSpikes), "truncated ALIF");
}

TEST(EpropGradients, RandomFeedbackReplacesTheReadoutWeightsInTheLearningSignal) {
  torch::manual_seed(6);
  LifRecurrent lif(LifRecurrentOptions(6, 8).threshold(0.4).tau_mem(10));
  LeakyReadout readout(LeakyReadoutOptions(8, 2).tau_out(8));
  Eprop symmetric(EpropOptions(8, 2));
  Eprop random(EpropOptions(8, 2).feedback(EpropFeedback::kRandom));
  to_double(lif);
  to_double(readout);
  random->to(torch::kFloat64);
  const auto x = spike_input(25, 3, 6);
  const auto target = torch::randn({25, 3, 2}, torch::kFloat64);
  const auto loss = squared_error(target);
  const auto s = eprop_gradients(symmetric, lif, readout, x, loss);
  const auto r = eprop_gradients(random, lif, readout, x, loss);
  EXPECT_GT(relative_difference(r[0], s[0]), 1e-2); // the learning signal differs
  EXPECT_GT(relative_difference(r[1], s[1]), 1e-2);
  EXPECT_LT((r[2] - s[2]).abs().max().item<double>(), kTol); // the readout's gradient is local
  EXPECT_LT((r[3] - s[3]).abs().max().item<double>(), kTol);
  // With B set to W_out, random e-prop is symmetric e-prop.
  {
    torch::NoGradGuard no_grad;
    random->feedback.copy_(readout->weight);
  }
  const auto same = eprop_gradients(random, lif, readout, x, loss);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_LT((same[i] - s[i]).abs().max().item<double>(), kTol) << kNames[i];
  }
}

TEST(EpropGradients, AddsToExistingGradientsAndRefusesMismatchedModules) {
  torch::manual_seed(7);
  LifRecurrent lif(LifRecurrentOptions(4, 5).threshold(0.4));
  LeakyReadout readout(LeakyReadoutOptions(5, 2));
  Eprop eprop(EpropOptions(5, 2));
  const auto x = (torch::rand({10, 2, 4}) < 0.3).to(torch::kFloat32);
  const auto target = torch::randn({10, 2, 2});
  const auto loss = squared_error(target);
  eprop->accumulate_gradients(*lif, *readout, x, loss);
  const auto once = lif->w_in.grad().clone();
  EXPECT_GT(once.abs().max().item<double>(), 0.0);
  eprop->accumulate_gradients(*lif, *readout, x, loss);
  EXPECT_TRUE(torch::allclose(lif->w_in.grad(), 2 * once));

  LeakyReadout wide(LeakyReadoutOptions(5, 3));
  try {
    eprop->accumulate_gradients(*lif, *wide, x, loss);
    ADD_FAILURE() << "a readout of 3 outputs was accepted by an Eprop of 2";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what_without_backtrace()).find("output_size"), std::string::npos);
  }
}

} // namespace
