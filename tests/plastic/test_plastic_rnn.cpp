// PlasticRNN against its equations written step by step, state continuation, options and errors.
#include <support/error_message.h>

#include <engram/layers/plastic/plastic_rnn.h>

#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <sstream>

namespace {

using namespace engram::layers;

// One step written out by hand (double precision), for every rule and modulation.
struct Manual {
  torch::Tensor h, trace, elig;
};

Manual manual_step(PlasticRNN& net, const torch::Tensor& x, Manual s, const torch::Tensor& m) {
  const auto& o = net->options;
  const auto n = o.hidden_size();
  const auto b = x.size(0);
  auto alpha = net->alpha;
  if (o.alpha_shape() == AlphaShape::kPerNeuron) { // alpha[j]: per postsynaptic unit
    alpha = alpha.view({n, 1}).expand({n, n});
  } else if (o.alpha_shape() == AlphaShape::kScalar) {
    alpha = alpha.expand({n, n});
  }
  const double eta = net->eta.item<double>();
  Manual next{torch::zeros({b, n}, torch::kDouble), s.trace.clone(), s.elig.clone()};
  for (int64_t k = 0; k < b; ++k) {
    for (int64_t j = 0; j < n; ++j) {
      double a = net->bias[j].item<double>();
      for (int64_t i = 0; i < x.size(1); ++i) {
        a += net->w_in[j][i].item<double>() * x[k][i].item<double>();
      }
      for (int64_t i = 0; i < n; ++i) {
        a += s.h[k][i].item<double>() *
             (net->w[j][i].item<double>() +
              alpha[j][i].item<double>() * s.trace[k][i][j].item<double>());
      }
      next.h[k][j] = std::tanh(a);
    }
    double mk = 0;
    if (o.modulation() != Modulation::kNone) {
      mk = m.defined() ? m[k].item<double>()
                       : std::tanh(torch::dot(next.h[k], net->w_mod).item<double>() +
                                   net->b_mod.item<double>());
    }
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const double pre = s.h[k][i].item<double>();
        const double post = next.h[k][j].item<double>();
        const double hij = s.trace[k][i][j].item<double>();
        const double d = o.rule() == HebbianRule::kHebb ? pre * post : post * (pre - post * hij);
        double h_new = hij;
        if (o.modulation() == Modulation::kNone) {
          h_new = o.rule() == HebbianRule::kHebb ? (1 - eta) * hij + eta * d : hij + eta * d;
        } else if (o.modulation() == Modulation::kSimple) {
          h_new = hij + mk * d;
        } else {
          const double e = s.elig[k][i][j].item<double>();
          h_new = hij + mk * e;
          next.elig[k][i][j] = (1 - eta) * e + eta * d;
        }
        if (o.clip() > 0) {
          h_new = std::clamp(h_new, -o.clip(), o.clip());
        }
        next.trace[k][i][j] = h_new;
      }
    }
  }
  return next;
}

TEST(PlasticRNN, MatchesItsEquationsForEveryRuleModulationAndAlphaShape) {
  for (auto rule : {HebbianRule::kHebb, HebbianRule::kOja}) {
    for (auto mod : {Modulation::kNone, Modulation::kSimple, Modulation::kRetroactive}) {
      for (auto shape : {AlphaShape::kPerConnection, AlphaShape::kPerNeuron, AlphaShape::kScalar}) {
        for (bool fused : {true, false}) {
          torch::manual_seed(3);
          PlasticRNN net(PlasticRNNOptions(3, 4)
                             .fused(fused)
                             .rule(rule)
                             .modulation(mod)
                             .alpha_shape(shape)
                             .eta(0.3)
                             .alpha_init(0.5)
                             .clip(0.4));
          net->to(torch::kDouble);
          const auto x = torch::randn({4, 2, 3}, torch::kDouble);
          auto state = net->initial_state(2);
          state.h.normal_();
          state.trace.uniform_(-0.3, 0.3);
          state.eligibility.uniform_(-0.3, 0.3);
          const auto out = net(x, state);
          Manual s{state.h, state.trace, state.eligibility};
          for (int64_t t = 0; t < 4; ++t) {
            s = manual_step(net, x[t], s, torch::Tensor());
            ASSERT_TRUE(torch::allclose(out.outputs[t], s.h, 1e-10, 1e-12))
                << to_string(rule) << " " << to_string(mod) << " " << to_string(shape)
                << " fused=" << fused << " t=" << t;
          }
          EXPECT_TRUE(torch::allclose(out.state.trace, s.trace, 1e-10, 1e-12));
          if (mod == Modulation::kRetroactive) {
            EXPECT_TRUE(torch::allclose(out.state.eligibility, s.elig, 1e-10, 1e-12));
          }
        }
      }
    }
  }
}

TEST(PlasticRNN, ExternalModulationReplacesTheHead) {
  torch::manual_seed(4);
  PlasticRNN net(PlasticRNNOptions(3, 4).modulation(Modulation::kSimple).alpha_init(0.5));
  net->to(torch::kDouble);
  const auto x = torch::randn({2, 2, 3}, torch::kDouble);
  const auto m = torch::randn({2, 2}, torch::kDouble);
  const auto out = net(x, std::nullopt, m);
  auto init = net->initial_state(2);
  Manual s{init.h, init.trace, init.eligibility};
  for (int64_t t = 0; t < 2; ++t) {
    s = manual_step(net, x[t], s, m[t]);
  }
  EXPECT_TRUE(torch::allclose(out.state.trace, s.trace, 1e-10, 1e-12));
  // Zero modulation freezes the trace entirely.
  const auto frozen = net(x, std::nullopt, torch::zeros({2, 2}, torch::kDouble));
  EXPECT_EQ(frozen.state.trace.abs().max().item<double>(), 0.0);
}

TEST(PlasticRNN, EpisodeContinuesAcrossCalls) {
  torch::manual_seed(5);
  PlasticRNN net(
      PlasticRNNOptions(3, 5).modulation(Modulation::kRetroactive).alpha_init(0.3).clip(1));
  const auto x = torch::randn({6, 2, 3});
  const auto whole = net(x);
  const auto first = net(x.narrow(0, 0, 4));
  const auto second = net(x.narrow(0, 4, 2), first.state);
  EXPECT_TRUE(torch::allclose(whole.outputs.narrow(0, 4, 2), second.outputs, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(whole.state.trace, second.state.trace, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(whole.state.eligibility, second.state.eligibility, 1e-5, 1e-6));
}

TEST(PlasticRNN, GradientsReachEveryParameterAndMatchFiniteDifferences) {
  torch::manual_seed(6);
  PlasticRNN net(PlasticRNNOptions(2, 3)
                     .rule(HebbianRule::kOja)
                     .modulation(Modulation::kRetroactive)
                     .alpha_init(0.4)
                     .eta(0.2));
  net->to(torch::kDouble);
  const auto x = torch::randn({5, 2, 2}, torch::kDouble);
  auto loss_of = [&] { return net(x).outputs.square().sum(); };
  loss_of().backward();
  for (const auto& p : net->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    // Central difference on the first element of each parameter.
    torch::NoGradGuard no_grad;
    auto flat = p.value().view(-1);
    const double saved = flat[0].item<double>();
    const double h = 1e-6;
    flat[0] = saved + h;
    const double up = loss_of().item<double>();
    flat[0] = saved - h;
    const double down = loss_of().item<double>();
    flat[0] = saved;
    EXPECT_NEAR(p.value().grad().view(-1)[0].item<double>(), (up - down) / (2 * h), 1e-6)
        << p.key();
  }
}

TEST(PlasticRNN, SaveLoadAndPrettyPrint) {
  PlasticRNN a(PlasticRNNOptions(3, 4).modulation(Modulation::kSimple).learn_eta(false));
  std::stringstream stream;
  torch::save(a, stream);
  PlasticRNN b(PlasticRNNOptions(3, 4).modulation(Modulation::kSimple).learn_eta(false));
  torch::load(b, stream);
  EXPECT_TRUE(torch::equal(a->w, b->w));
  EXPECT_TRUE(torch::equal(a->w_mod, b->w_mod));
  EXPECT_EQ(a->named_buffers().size(), 1u); // eta, fixed
  std::ostringstream text;
  text << *a;
  EXPECT_EQ(text.str(), "engram::PlasticRNN(input_size=3, hidden_size=4, rule=hebb, "
                        "modulation=simple, alpha=per_connection, eta=0.01 (fixed))");
}

TEST(PlasticRNN, BadInputIsNamed) {
  PlasticRNN net(PlasticRNNOptions(3, 4));
  EXPECT_ERROR_MENTIONS(net(torch::randn({5, 3})), "argument 'x' expected shape [T > 0, B > 0, 3]");
  EXPECT_ERROR_MENTIONS(net(torch::randn({5, 2, 4})), "argument 'x'");
  EXPECT_ERROR_MENTIONS(net(torch::randn({5, 2, 3}, torch::kDouble)), "dtype");
  auto state = net->initial_state(3);
  EXPECT_ERROR_MENTIONS(net(torch::randn({5, 2, 3}), state), "state.h");
  state = net->initial_state(2);
  state.trace = torch::zeros({2, 4, 3});
  EXPECT_ERROR_MENTIONS(net(torch::randn({5, 2, 3}), state), "state.trace");
  EXPECT_ERROR_MENTIONS(net(torch::randn({5, 2, 3}), std::nullopt, torch::zeros({5, 2})),
                        "option 'modulation' is none");
  PlasticRNN modulated(PlasticRNNOptions(3, 4).modulation(Modulation::kSimple));
  EXPECT_ERROR_MENTIONS(modulated(torch::randn({5, 2, 3}), std::nullopt, torch::zeros({4, 2})),
                        "argument 'modulation' expected shape [5, 2]");
  EXPECT_ERROR_MENTIONS(net->initial_state(0), "batch_size");
  EXPECT_ERROR_MENTIONS(PlasticRNN(PlasticRNNOptions(0, 4)), "input_size");
  EXPECT_ERROR_MENTIONS(PlasticRNN(PlasticRNNOptions(3, 4).eta(-0.1)), "eta");
  EXPECT_ERROR_MENTIONS(PlasticRNN(PlasticRNNOptions(3, 4).clip(-1)), "clip");
  EXPECT_ERROR_MENTIONS(PlasticRNN(PlasticRNNOptions(3, 4).chunk_size(-1)), "chunk_size");
}

} // namespace
