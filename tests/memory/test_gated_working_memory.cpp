#include <ATen/Parallel.h>
#include <engram/layers/memory/gated_memory_layer_function.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/rnn.h>
#include <torch/serialize.h>

#include <filesystem>
#include <sstream>

namespace em = engram::layers::memory;

namespace {

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

struct LstmComparison {
  bool fused;
  bool batch_first;
};

struct LstmSizes {
  int64_t steps, batch, input, hidden, layers;
};

// Outputs, final state and every gradient of GatedWorkingMemory against torch::nn::LSTM with the
// same weights, to `tolerance`.
void expect_matches_lstm(const LstmComparison& param, const LstmSizes& size, double tolerance) {
  torch::manual_seed(3);
  const int64_t steps = size.steps, batch = size.batch, input = size.input, hidden = size.hidden,
                layers = size.layers;
  torch::nn::LSTM lstm(
      torch::nn::LSTMOptions(input, hidden).num_layers(layers).batch_first(param.batch_first));
  em::GatedWorkingMemory memory(em::GatedWorkingMemoryOptions(input, hidden)
                                    .num_layers(layers)
                                    .batch_first(param.batch_first)
                                    .fused(param.fused));
  memory->load_lstm_weights(lstm);

  const auto shape = param.batch_first ? std::vector<int64_t>{batch, steps, input}
                                       : std::vector<int64_t>{steps, batch, input};
  const at::Tensor x = torch::randn(shape);
  const at::Tensor h0 = torch::randn({layers, batch, hidden});
  const at::Tensor c0 = torch::randn({layers, batch, hidden});
  const at::Tensor x1 = x.clone().requires_grad_(), x2 = x.clone().requires_grad_();
  const at::Tensor h01 = h0.clone().requires_grad_(), h02 = h0.clone().requires_grad_();
  const at::Tensor c01 = c0.clone().requires_grad_(), c02 = c0.clone().requires_grad_();

  auto [y1, s1] = lstm->forward(x1, std::make_tuple(h01, c01));
  auto [y2, s2] = memory->forward(x2, std::make_tuple(h02, c02));
  EXPECT_LT(max_abs_diff(y1, y2), tolerance);
  EXPECT_LT(max_abs_diff(std::get<0>(s1), std::get<0>(s2)), tolerance);
  EXPECT_LT(max_abs_diff(std::get<1>(s1), std::get<1>(s2)), tolerance);

  // A loss that reads the outputs and both parts of the final state.
  const at::Tensor wy = torch::randn(y1.sizes()), wh = torch::randn({layers, batch, hidden}),
                   wc = torch::randn({layers, batch, hidden});
  ((y1 * wy).sum() + (std::get<0>(s1) * wh).sum() + (std::get<1>(s1) * wc).sum()).backward();
  ((y2 * wy).sum() + (std::get<0>(s2) * wh).sum() + (std::get<1>(s2) * wc).sum()).backward();
  EXPECT_LT(max_abs_diff(x1.grad(), x2.grad()), tolerance);
  EXPECT_LT(max_abs_diff(h01.grad(), h02.grad()), tolerance);
  EXPECT_LT(max_abs_diff(c01.grad(), c02.grad()), tolerance);
  const auto expected = lstm->named_parameters();
  const auto actual = memory->named_parameters();
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& item : expected) {
    ASSERT_TRUE(actual.contains(item.key())) << item.key();
    EXPECT_LT(max_abs_diff(item.value().grad(), actual[item.key()].grad()), tolerance)
        << item.key();
  }
}

class GatedWorkingMemoryVsLstm : public ::testing::TestWithParam<LstmComparison> {};

TEST_P(GatedWorkingMemoryVsLstm, OutputsFinalStateAndGradientsMatchTorchLstm) {
  expect_matches_lstm(GetParam(), {9, 4, 6, 11, 2}, 1e-5);
}

// Sizes that exercise the edges of the fused kernel's GEMM tiling on two threads. Batch 70: two
// full 32-row tiles and a partial one, 4H = 320 columns in 128-column tiles (the last partial),
// products 300 (input) and 320 (backward) deep, beyond one 256-deep slice. Batch 20: one row
// tile, so the columns split per thread (112 + 88 of 4H = 200).
TEST(GatedWorkingMemory, FusedMatchesTorchLstmAtTiledSizesOnTwoThreads) {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  expect_matches_lstm({true, false}, {5, 70, 300, 80, 1}, 1e-4);
  expect_matches_lstm({true, true}, {4, 20, 40, 50, 2}, 1e-4);
  at::set_num_threads(threads);
}

INSTANTIATE_TEST_SUITE_P(FusedAndReference, GatedWorkingMemoryVsLstm,
                         ::testing::Values(LstmComparison{true, false}, LstmComparison{true, true},
                                           LstmComparison{false, false},
                                           LstmComparison{false, true}));

TEST(GatedWorkingMemory, ZeroInitialStateMatchesTorchLstmWithoutBias) {
  torch::manual_seed(4);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(3, 5).bias(false));
  em::GatedWorkingMemory memory(em::GatedWorkingMemoryOptions(3, 5).bias(false));
  memory->load_lstm_weights(lstm);
  const at::Tensor x = torch::randn({6, 2, 3});
  EXPECT_LT(max_abs_diff(std::get<0>(lstm->forward(x)), std::get<0>(memory->forward(x))), 1e-6);
}

// The fused kernel against the autograd of the pure-ATen definition, in double precision, with
// and without peepholes, for every input at once.
TEST(GatedMemoryLayerFunction, FusedGradientsEqualReferenceInDouble) {
  torch::manual_seed(5);
  for (const bool with_peephole : {false, true}) {
    const int64_t steps = 5, batch = 3, input = 4, hidden = 6;
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    std::vector<at::Tensor> args = {torch::randn({steps, batch, input}, opts),
                                    torch::randn({batch, hidden}, opts),
                                    torch::randn({batch, hidden}, opts),
                                    torch::randn({4 * hidden, input}, opts) * 0.5,
                                    torch::randn({4 * hidden, hidden}, opts) * 0.5,
                                    torch::randn({4 * hidden}, opts),
                                    with_peephole ? torch::randn({3, hidden}, opts) : at::Tensor()};
    auto run = [&](bool fused) {
      std::vector<at::Tensor> leaves;
      for (const auto& a : args)
        leaves.push_back(a.defined() ? a.clone().requires_grad_() : a);
      const auto out = em::gated_memory_layer(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4],
                                              leaves[5], leaves[6], fused);
      const at::Tensor loss = (out.output * out.output.detach().cos()).sum() +
                              (out.h_n * 0.7).sum() + (out.c_n * out.c_n).sum();
      loss.backward();
      std::vector<at::Tensor> grads;
      for (const auto& l : leaves)
        grads.push_back(l.defined() ? l.grad() : at::Tensor());
      return std::make_pair(out.output.detach(), grads);
    };
    const auto [y_fused, g_fused] = run(true);
    const auto [y_ref, g_ref] = run(false);
    EXPECT_LT(max_abs_diff(y_fused, y_ref), 1e-12);
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i].defined())
        continue;
      EXPECT_LT(max_abs_diff(g_fused[i], g_ref[i]), 1e-11) << "argument " << i;
    }
  }
}

// Finite differences on the peephole weights (through the fused kernel), double precision.
TEST(GatedMemoryLayerFunction, PeepholeGradientMatchesFiniteDifferences) {
  torch::manual_seed(6);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t hidden = 4;
  const at::Tensor x = torch::randn({6, 2, 3}, opts), h0 = torch::randn({2, hidden}, opts),
                   c0 = torch::randn({2, hidden}, opts), w_ih = torch::randn({4 * hidden, 3}, opts),
                   w_hh = torch::randn({4 * hidden, hidden}, opts) * 0.5,
                   bias = torch::randn({4 * hidden}, opts);
  const at::Tensor peephole = torch::randn({3, hidden}, opts).requires_grad_();
  auto loss = [&](const at::Tensor& p) {
    const auto out = em::gated_memory_layer(x, h0, c0, w_ih, w_hh, bias, p, true);
    return out.output.sum() + out.c_n.sum();
  };
  loss(peephole).backward();
  const at::Tensor analytic = peephole.grad();
  const double eps = 1e-6;
  for (int64_t r = 0; r < 3; ++r) {
    for (int64_t j = 0; j < hidden; ++j) {
      at::Tensor plus = peephole.detach().clone(), minus = peephole.detach().clone();
      plus[r][j] += eps;
      minus[r][j] -= eps;
      const double numeric = (loss(plus) - loss(minus)).item<double>() / (2 * eps);
      EXPECT_NEAR(analytic[r][j].item<double>(), numeric, 1e-7) << r << "," << j;
    }
  }
}

TEST(GatedWorkingMemory, PeepholesChangeTheDynamicsAndVanishAtZero) {
  torch::manual_seed(7);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(3, 5));
  em::GatedWorkingMemory peep(em::GatedWorkingMemoryOptions(3, 5).peephole(true));
  peep->load_lstm_weights(lstm);
  ASSERT_TRUE(peep->named_parameters().contains("peephole_l0"));
  const at::Tensor x = torch::randn({8, 2, 3});
  EXPECT_GT(max_abs_diff(std::get<0>(lstm->forward(x)), std::get<0>(peep->forward(x))), 1e-3);
  {
    at::NoGradGuard no_grad;
    peep->peephole(0).zero_();
  }
  EXPECT_LT(max_abs_diff(std::get<0>(lstm->forward(x)), std::get<0>(peep->forward(x))), 1e-6);
}

TEST(GatedWorkingMemory, ForgetGateBiasIsInitialised) {
  em::GatedWorkingMemory memory(em::GatedWorkingMemoryOptions(3, 4).num_layers(2).forget_bias(2.5));
  for (int64_t layer = 0; layer < 2; ++layer) {
    EXPECT_TRUE(memory->bias_ih(layer).narrow(0, 4, 4).eq(2.5).all().item<bool>());
    EXPECT_TRUE(memory->bias_hh(layer).narrow(0, 4, 4).eq(0).all().item<bool>());
    EXPECT_LE(memory->bias_ih(layer).narrow(0, 0, 4).abs().max().item<double>(), 0.5);
  }
}

TEST(GatedWorkingMemory, RejectsBadShapesWithNamedErrors) {
  em::GatedWorkingMemory memory(em::GatedWorkingMemoryOptions(3, 4).num_layers(2));
  const at::Tensor x = torch::randn({5, 2, 3});
  try {
    memory->forward(x, std::make_tuple(torch::zeros({2, 7, 4}), torch::zeros({2, 7, 4})));
    FAIL() << "state batch mismatch accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("argument 'state'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("batch 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(memory->forward(torch::randn({5, 2, 4})), c10::Error);
  EXPECT_THROW(memory->forward(torch::randn({5, 3})), c10::Error);
  EXPECT_THROW(em::GatedWorkingMemory(em::GatedWorkingMemoryOptions(0, 4)), c10::Error);
}

TEST(GatedWorkingMemory, SavesAndLoadsAndPrints) {
  torch::manual_seed(8);
  em::GatedWorkingMemory a(em::GatedWorkingMemoryOptions(3, 4).peephole(true));
  em::GatedWorkingMemory b(em::GatedWorkingMemoryOptions(3, 4).peephole(true));
  std::stringstream stream;
  torch::save(a, stream);
  torch::load(b, stream);
  const at::Tensor x = torch::randn({4, 2, 3});
  EXPECT_EQ(max_abs_diff(std::get<0>(a->forward(x)), std::get<0>(b->forward(x))), 0.0);
  std::ostringstream printed;
  printed << *a;
  EXPECT_NE(printed.str().find("GatedWorkingMemory(input_size=3, hidden_size=4"),
            std::string::npos);
}

} // namespace
