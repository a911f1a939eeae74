#include <ATen/Parallel.h>
#include <engram/layers/memory/gated_working_memory.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
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

// Outputs, final state and every gradient of two modules with the same parameters.
void expect_same_outputs_and_gradients(em::GatedWorkingMemory& a, em::GatedWorkingMemory& b,
                                       const at::Tensor& x, double tolerance) {
  const auto& o = a->options;
  const int64_t batch = o.batch_first() ? x.size(0) : x.size(1);
  const auto opts = x.options();
  const at::Tensor h0 = torch::randn({o.num_layers(), batch, o.hidden_size()}, opts);
  const at::Tensor c0 = torch::randn({o.num_layers(), batch, o.hidden_size()}, opts);
  std::vector<std::vector<at::Tensor>> grads;
  std::vector<std::tuple<at::Tensor, at::Tensor, at::Tensor>> outs;
  for (auto* m : {&a, &b}) {
    const at::Tensor xi = x.clone().requires_grad_(), hi = h0.clone().requires_grad_(),
                     ci = c0.clone().requires_grad_();
    auto [y, state] = (*m)->forward(xi, std::make_tuple(hi, ci));
    const at::Tensor loss = (y * y.detach().cos()).sum() + (std::get<0>(state) * 0.7).sum() +
                            (std::get<1>(state) * std::get<1>(state)).sum();
    std::vector<at::Tensor> inputs{xi, hi, ci};
    for (const auto& p : (*m)->parameters())
      inputs.push_back(p);
    grads.push_back(torch::autograd::grad({loss}, inputs));
    outs.emplace_back(y.detach(), std::get<0>(state).detach(), std::get<1>(state).detach());
  }
  EXPECT_LT(max_abs_diff(std::get<0>(outs[0]), std::get<0>(outs[1])), tolerance);
  EXPECT_LT(max_abs_diff(std::get<1>(outs[0]), std::get<1>(outs[1])), tolerance);
  EXPECT_LT(max_abs_diff(std::get<2>(outs[0]), std::get<2>(outs[1])), tolerance);
  ASSERT_EQ(grads[0].size(), grads[1].size());
  for (size_t k = 0; k < grads[0].size(); ++k)
    EXPECT_LT(max_abs_diff(grads[0][k], grads[1][k]), tolerance) << "gradient " << k;
}

// The at::lstm route (cuDNN's on CUDA), forced on the CPU, against engram's operator: the same
// outputs, final state and gradients of input, state and every parameter.
TEST(GatedWorkingMemory, AtenLstmRouteMatchesEngramPathOnCpu) {
  for (const bool bias : {true, false}) {
    for (const bool batch_first : {false, true}) {
      torch::manual_seed(21);
      const auto options =
          em::GatedWorkingMemoryOptions(5, 7).num_layers(2).bias(bias).batch_first(batch_first);
      em::GatedWorkingMemory engram(em::GatedWorkingMemoryOptions(options).backend("engram"));
      em::GatedWorkingMemory aten(em::GatedWorkingMemoryOptions(options).backend("aten_lstm"));
      engram->to(torch::kFloat64);
      aten->to(torch::kFloat64);
      {
        at::NoGradGuard no_grad;
        const auto source = engram->named_parameters();
        for (auto& item : aten->named_parameters())
          item.value().copy_(source[item.key()]);
      }
      ASSERT_EQ(em::gated_memory_path(aten->options, torch::kCPU), em::GatedMemoryPath::kAtenLstm);
      ASSERT_EQ(em::gated_memory_path(engram->options, torch::kCPU),
                em::GatedMemoryPath::kEngramOp);
      const auto shape =
          batch_first ? std::vector<int64_t>{3, 6, 5} : std::vector<int64_t>{6, 3, 5};
      expect_same_outputs_and_gradients(engram, aten, torch::randn(shape, torch::kFloat64), 1e-12);
    }
  }
}

TEST(GatedWorkingMemory, PathSelectionFollowsDeviceAndPeephole) {
  using em::GatedMemoryPath;
  const at::Device cpu(torch::kCPU), gpu(torch::kCUDA, 0);
  const auto plain = em::GatedWorkingMemoryOptions(3, 4);
  EXPECT_EQ(em::gated_memory_path(plain, cpu), GatedMemoryPath::kEngramOp);
  EXPECT_EQ(em::gated_memory_path(plain, gpu), GatedMemoryPath::kAtenLstm);
  EXPECT_EQ(em::gated_memory_path(em::GatedWorkingMemoryOptions(plain).peephole(true), gpu),
            GatedMemoryPath::kEngramOp);
  EXPECT_EQ(em::gated_memory_path(em::GatedWorkingMemoryOptions(plain).fused(false), gpu),
            GatedMemoryPath::kEngramReference);
  EXPECT_EQ(em::gated_memory_path(em::GatedWorkingMemoryOptions(plain).backend("engram"), gpu),
            GatedMemoryPath::kEngramOp);
  EXPECT_EQ(em::gated_memory_path(em::GatedWorkingMemoryOptions(plain).backend("aten_lstm"), cpu),
            GatedMemoryPath::kAtenLstm);
  const std::vector<std::string> expected{"auto", "engram", "aten_lstm"};
  EXPECT_EQ(em::gated_memory_backends(), expected);
}

TEST(GatedWorkingMemory, RejectsAnUnknownBackendAndAtenLstmWithPeepholes) {
  const auto message = [](const em::GatedWorkingMemoryOptions& o) {
    try {
      em::GatedWorkingMemory memory(o);
    } catch (const c10::Error& e) {
      return std::string(e.what_without_backtrace());
    }
    return std::string("accepted");
  };
  const std::string bad = message(em::GatedWorkingMemoryOptions(3, 4).backend("cudnn"));
  EXPECT_NE(bad.find("option 'backend' expected one of auto, engram, aten_lstm, got 'cudnn'"),
            std::string::npos)
      << bad;
  EXPECT_EQ(bad.find('\n'), std::string::npos) << bad;
  const std::string peep =
      message(em::GatedWorkingMemoryOptions(3, 4).peephole(true).backend("aten_lstm"));
  EXPECT_NE(peep.find("expected peephole(false)"), std::string::npos) << peep;
}

// On a GPU: backend auto runs cuDNN (at::lstm) for a plain LSTM and engram's operator with
// peepholes; both match the CPU's engram path.
TEST(GatedWorkingMemory, CudaPathsMatchTheCpu) {
  if (!torch::cuda::is_available()) {
    GTEST_SKIP() << "no CUDA device";
  }
  for (const bool peephole : {false, true}) {
    torch::manual_seed(22);
    const auto options = em::GatedWorkingMemoryOptions(5, 8).num_layers(2).peephole(peephole);
    em::GatedWorkingMemory cpu(options), gpu(options);
    {
      at::NoGradGuard no_grad;
      const auto source = cpu->named_parameters();
      for (auto& item : gpu->named_parameters())
        item.value().copy_(source[item.key()]);
    }
    gpu->to(torch::kCUDA);
    // Without peepholes to() lays the weights out in one cuDNN buffer (flatten_parameters).
    EXPECT_EQ(gpu->weight_ih(0).storage().data() == gpu->weight_hh(1).storage().data(), !peephole);
    EXPECT_EQ(em::gated_memory_path(gpu->options, gpu->weight_hh(0).device()),
              peephole ? em::GatedMemoryPath::kEngramOp : em::GatedMemoryPath::kAtenLstm);
    const at::Tensor x = torch::randn({6, 3, 5});
    const auto [y_cpu, s_cpu] = cpu->forward(x);
    const auto [y_gpu, s_gpu] = gpu->forward(x.cuda());
    EXPECT_LT(max_abs_diff(y_cpu, y_gpu.cpu()), 1e-5);
    EXPECT_LT(max_abs_diff(std::get<1>(s_cpu), std::get<1>(s_gpu).cpu()), 1e-5);
    y_gpu.sum().backward();
    y_cpu.sum().backward();
    EXPECT_LT(max_abs_diff(cpu->weight_hh(0).grad(), gpu->weight_hh(0).grad().cpu()), 1e-4);
  }
}

} // namespace
