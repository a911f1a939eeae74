// Pattern completion (Miconi et al. 2018, section 4.2): a PlasticRNN trained by BPTT against the
// same network with its plasticity removed (alpha = 0, not trained). Defaults are the paper's
// setting: 5 patterns of 1000 bits, each shown 6 steps with 4 zero steps between, two cycles, a
// half-erased probe shown 6 steps; one neuron per bit, inputs (x20) added directly to the neurons,
// Hebbian trace H <- (1 - eta) H + eta h_{t-1} (x) h_t, Adam 3e-4, one episode per step.
//
//   plastic_pattern_completion_demo [patterns=5] [bits=1000] [iterations=1000] [batch=1]
//       [lr_micro=300] [alpha_milli=10] [eta_milli=10] [threads=0] [plastic_only=0] [test=32]
//       [seed=0] [show=6] [gap=4] [probe=6] [cycles=2] [alpha_shape=0]
// (lr_micro: Adam learning rate in 1e-6; alpha_milli, eta_milli: initial values in 1e-3 (alpha
// per connection ~ N(0, alpha^2), as the paper; constant for alpha_shape 1 = per neuron,
// 2 = scalar). The paper's size takes ~0.3-0.8 s per episode single-threaded on a 2-core VM.)
#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/layers/plastic/tasks/pattern_completion.h>

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

using namespace engram::layers;

namespace {

struct Setting {
  int64_t iterations;
  int64_t batch;
  double lr;
  double alpha_init;
  double eta;
  int64_t test_episodes;
  AlphaShape alpha_shape;
  int64_t seed;
};

double train(bool plastic, const tasks::PatternCompletionOptions& task, const Setting& s) {
  torch::manual_seed(static_cast<uint64_t>(s.seed));
  PlasticRNN net(PlasticRNNOptions(task.bits, task.bits)
                     .eta(s.eta)
                     .alpha_shape(s.alpha_shape)
                     .alpha_init(plastic ? s.alpha_init : 0.0));
  {
    torch::NoGradGuard no_grad;
    net->w_in.copy_(torch::eye(task.bits)); // inputs added directly to the neurons, as the paper
    net->w.normal_(0.0, 0.01);
    if (plastic && s.alpha_shape == AlphaShape::kPerConnection) {
      net->alpha.normal_(0.0, s.alpha_init);
    }
  }
  std::vector<torch::Tensor> trained{net->w, net->bias};
  if (plastic) {
    trained.push_back(net->alpha);
    trained.push_back(net->eta);
  }
  torch::optim::Adam opt(trained, torch::optim::AdamOptions(s.lr));
  const auto start = std::chrono::steady_clock::now();
  double running = 0.5;
  for (int64_t i = 1; i <= s.iterations; ++i) {
    const auto b = tasks::make_pattern_completion_batch(task, s.batch);
    const auto out = net(b.inputs).outputs[-1];
    const auto loss = (out - b.targets).square().mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
    running = 0.95 * running + 0.05 * tasks::erased_bit_error(out.detach(), b);
    if (i % std::max<int64_t>(1, s.iterations / 10) == 0) {
      std::printf("  %s iteration %5lld: loss %.4f, erased-bit error (running) %.4f, eta %.4f, "
                  "%.1f s\n",
                  plastic ? "plastic    " : "non-plastic", static_cast<long long>(i),
                  loss.item<double>(), running, net->eta.item<double>(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  torch::NoGradGuard no_grad;
  const auto test = tasks::make_pattern_completion_batch(task, s.test_episodes);
  return tasks::erased_bit_error(net(test.inputs).outputs[-1], test);
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  std::map<std::string, int64_t> args{
      {"patterns", 5},     {"bits", 1000},      {"iterations", 1000}, {"batch", 1},
      {"lr_micro", 300},   {"alpha_milli", 10}, {"eta_milli", 10},    {"threads", 0},
      {"plastic_only", 0}, {"test", 32},        {"show", 6},          {"gap", 4},
      {"probe", 6},        {"cycles", 2},       {"alpha_shape", 0},   {"seed", 0}};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (eq == std::string::npos || args.count(a.substr(0, eq)) == 0) {
      std::fprintf(stderr, "unknown argument '%s' (expected name=value)\n", a.c_str());
      return 2;
    }
    args[a.substr(0, eq)] = std::stoll(a.substr(eq + 1));
  }
  if (args["threads"] > 0) {
    torch::set_num_threads(static_cast<int>(args["threads"]));
  }
  tasks::PatternCompletionOptions task;
  task.patterns = args["patterns"];
  task.bits = args["bits"];
  task.show_steps = args["show"];
  task.gap_steps = args["gap"];
  task.probe_steps = args["probe"];
  task.cycles = args["cycles"];
  const Setting s{args["iterations"],
                  args["batch"],
                  1e-6 * args["lr_micro"],
                  1e-3 * args["alpha_milli"],
                  1e-3 * args["eta_milli"],
                  args["test"],
                  args["alpha_shape"] == 0   ? AlphaShape::kPerConnection
                  : args["alpha_shape"] == 1 ? AlphaShape::kPerNeuron
                                             : AlphaShape::kScalar,
                  args["seed"]};
  std::printf("pattern completion: %lld patterns of %lld bits, %lld steps per episode, %lld "
              "iterations of %lld episodes, Adam %g\n",
              static_cast<long long>(task.patterns), static_cast<long long>(task.bits),
              static_cast<long long>(tasks::episode_length(task)),
              static_cast<long long>(s.iterations), static_cast<long long>(s.batch), s.lr);
  const double plastic = train(true, task, s);
  if (args["plastic_only"] != 0) {
    std::printf("test erased-bit error (%lld episodes): plastic RNN %.4f\n",
                static_cast<long long>(s.test_episodes), plastic);
    return 0;
  }
  const double fixed = train(false, task, s);
  std::printf("test erased-bit error (%lld episodes): plastic RNN %.4f, non-plastic RNN %.4f\n",
              static_cast<long long>(s.test_episodes), plastic, fixed);
  return 0;
}
