// The spiking layers, the leaky readout and Eprop keep LibTorch's module contract: AnyModule with
// their default arguments, clone(), save/load, to() and pretty_print.
#include <support/module_contract.h>

#include <engram/layers/spiking/alif_recurrent.h>
#include <engram/layers/spiking/eprop.h>
#include <engram/layers/spiking/leaky_readout.h>
#include <engram/layers/spiking/leaky_tanh_recurrent.h>
#include <engram/layers/spiking/lif_recurrent.h>

#include <gtest/gtest.h>
#include <torch/nn/modules/container/any.h>
#include <torch/torch.h>

#include <sstream>

namespace {

using namespace engram::layers::spiking;
using namespace engram::testing;

template <typename Holder>
std::string printed(const Holder& m) {
  std::ostringstream out;
  out << *m;
  return out.str();
}

// Spiking input that makes the layers fire.
at::Tensor spiking_input(int64_t steps, int64_t batch, int64_t channels) {
  return (torch::rand({steps, batch, channels}) < 0.3).to(torch::kFloat32);
}

template <typename Holder, typename Options>
void expect_spiking_contract(const Options& options, const std::string& what) {
  torch::manual_seed(1);
  Holder layer(options);
  const auto x = spiking_input(12, 3, options.input_size());
  const SpikingOutput direct = layer->forward(x);
  EXPECT_GT(direct.spikes.sum().item<double>(), 0.0) << what << " never spikes";
  torch::nn::AnyModule any(layer);
  const auto via_any = any.forward<SpikingOutput>(x); // state defaults to zeros
  EXPECT_TRUE(torch::equal(via_any.spikes, direct.spikes)) << what;
  const auto next = any.forward<SpikingOutput>(x, std::optional<SpikingState>(direct.state));
  EXPECT_TRUE(torch::equal(next.spikes, layer->forward(x, direct.state).spikes)) << what;

  auto copy = expect_deep_clone(layer, what);
  EXPECT_TRUE(torch::equal(copy->forward(x).spikes, direct.spikes)) << what;
  Holder fresh(options);
  expect_save_load(layer, fresh, what);
  layer->to(torch::kFloat64);
  expect_moved_to(*layer, torch::kFloat64, what);
  EXPECT_EQ(layer->forward(x.to(torch::kFloat64)).spikes.scalar_type(), torch::kFloat64);
  EXPECT_EQ(layer->w_rec.sizes(), (c10::IntArrayRef{options.hidden_size(), options.hidden_size()}));
  // reset_parameters() redraws the weights in place.
  const at::Tensor before = layer->w_in.clone();
  layer->reset_parameters();
  EXPECT_FALSE(torch::equal(before, layer->w_in)) << what;
}

TEST(SpikingContract, LifRecurrent) {
  expect_spiking_contract<LifRecurrent>(LifRecurrentOptions(5, 4).threshold(0.3), "LifRecurrent");
  EXPECT_EQ(printed(LifRecurrent(LifRecurrentOptions(5, 4).refractory_steps(2))),
            "engram::LifRecurrent(input_size=5, hidden_size=4, dt=1, tau_mem=20, threshold=0.6, "
            "dampening=0.3, refractory_steps=2)");
}

TEST(SpikingContract, AlifRecurrent) {
  expect_spiking_contract<AlifRecurrent>(AlifRecurrentOptions(5, 4).threshold(0.3),
                                         "AlifRecurrent");
  EXPECT_EQ(printed(AlifRecurrent(AlifRecurrentOptions(5, 4))),
            "engram::AlifRecurrent(input_size=5, hidden_size=4, dt=1, tau_mem=20, "
            "tau_adaptation=200, beta=1.8, threshold=0.6, dampening=0.3)");
}

TEST(SpikingContract, LeakyTanhRecurrent) {
  torch::manual_seed(2);
  LeakyTanhRecurrent rnn(LeakyTanhRecurrentOptions(3, 4));
  const auto x = torch::randn({5, 2, 3});
  const auto direct = rnn->forward(x);
  torch::nn::AnyModule any(rnn);
  EXPECT_TRUE(torch::equal(any.forward<LeakyTanhOutput>(x).outputs, direct.outputs));
  auto copy = expect_deep_clone(rnn, "LeakyTanhRecurrent");
  EXPECT_TRUE(torch::equal(copy->forward(x).outputs, direct.outputs));
  LeakyTanhRecurrent fresh(LeakyTanhRecurrentOptions(3, 4));
  expect_save_load(rnn, fresh, "LeakyTanhRecurrent");
  rnn->to(torch::kFloat64);
  expect_moved_to(*rnn, torch::kFloat64, "LeakyTanhRecurrent");
  EXPECT_EQ(printed(rnn), "engram::LeakyTanhRecurrent(input_size=3, hidden_size=4, dt=1, tau=5)");
}

TEST(SpikingContract, LeakyReadout) {
  torch::manual_seed(3);
  LeakyReadout readout(LeakyReadoutOptions(4, 2));
  const auto z = torch::rand({5, 3, 4});
  torch::nn::AnyModule any(readout);
  EXPECT_TRUE(torch::equal(any.forward(z), readout->forward(z)));
  auto copy = expect_deep_clone(readout, "LeakyReadout");
  LeakyReadout fresh(LeakyReadoutOptions(4, 2));
  expect_save_load(readout, fresh, "LeakyReadout");
  readout->to(torch::kFloat64);
  expect_moved_to(*readout, torch::kFloat64, "LeakyReadout");
  EXPECT_EQ(printed(readout),
            "engram::LeakyReadout(input_size=4, output_size=2, dt=1, tau_out=20)");
}

TEST(SpikingContract, EpropRandomFeedbackIsABufferThatTravels) {
  torch::manual_seed(4);
  Eprop eprop(EpropOptions(4, 2).feedback(EpropFeedback::kRandom));
  ASSERT_EQ(eprop->named_buffers().size(), 1U);
  EXPECT_EQ(eprop->feedback.sizes(), (c10::IntArrayRef{2, 4}));
  EXPECT_EQ(eprop->parameters().size(), 0U); // fixed: no optimiser moves it
  auto copy = expect_deep_clone(eprop, "Eprop");
  Eprop fresh(EpropOptions(4, 2).feedback(EpropFeedback::kRandom));
  EXPECT_FALSE(torch::equal(fresh->feedback, eprop->feedback));
  expect_save_load(eprop, fresh, "Eprop");
  eprop->to(torch::kFloat64);
  expect_moved_to(*eprop, torch::kFloat64, "Eprop");
  EXPECT_TRUE(Eprop(EpropOptions(4, 2))->named_buffers().is_empty());
  EXPECT_EQ(printed(eprop), "engram::Eprop(hidden_size=4, output_size=2, feedback=random)");
  EXPECT_EQ(parse_eprop_feedback("symmetric"), EpropFeedback::kSymmetric);
}

} // namespace
