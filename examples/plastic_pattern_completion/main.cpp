// Pattern completion (Miconi et al. 2018, section 4.2): a PlasticRNN trained by BPTT against the
// same network with its plasticity removed (alpha = 0, not trained). Defaults are the paper's
// setting: 5 patterns of 1000 bits, each shown 6 steps with 4 zero steps between, two cycles, a
// half-erased probe shown 6 steps; one neuron per bit, inputs (x20) added directly to the neurons,
// Hebbian trace H <- (1 - eta) H + eta h_{t-1} (x) h_t, Adam 3e-4, one episode per step.
//
//   example_plastic_pattern_completion [--patterns 5] [--bits 1000] [--iterations 1000]
//       [--batch 1] [--lr 3e-4] [--alpha 0.01] [--eta 0.01] [--alpha-shape connection]
//       [--test 32] [--seed 0] [--threads 0] [--plastic-only] [--device cpu|cuda|cuda:N|auto]
//       ...   (--help lists every option)
#include <common/device_option.h>

// The paper's size takes ~0.3-0.8 s per episode single-threaded on a 2-core VM.
#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/tasks/pattern_completion.h>

#include <CLI/CLI.hpp>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

using namespace engram::layers;
namespace tasks = engram::tasks;

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
  c10::Device device = c10::Device(c10::kCPU);
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
    // Drawn in the trace's [pre, post] shape and stored in the layer's [out, in] layout.
    net->w.copy_(torch::empty_like(net->w).normal_(0.0, 0.01).t());
    if (plastic && s.alpha_shape == AlphaShape::kPerConnection) {
      net->alpha.copy_(torch::empty_like(net->alpha).normal_(0.0, s.alpha_init).t());
    }
  }
  net->to(s.device);
  // Episodes drawn on the CPU (the same ones on every device), sent to the device.
  const auto on_device = [&s](tasks::PatternCompletionBatch b) {
    for (torch::Tensor* t : {&b.inputs, &b.targets, &b.erased})
      *t = t->to(s.device);
    return b;
  };
  std::vector<torch::Tensor> trained{net->w, net->bias};
  if (plastic) {
    trained.push_back(net->alpha);
    trained.push_back(net->eta);
  }
  torch::optim::Adam opt(trained, torch::optim::AdamOptions(s.lr));
  const auto start = std::chrono::steady_clock::now();
  double running = 0.5;
  for (int64_t i = 1; i <= s.iterations; ++i) {
    const auto b = on_device(tasks::make_pattern_completion_batch(task, s.batch));
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
  const auto test = on_device(tasks::make_pattern_completion_batch(task, s.test_episodes));
  return tasks::erased_bit_error(net(test.inputs).outputs[-1], test);
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  CLI::App app{"Pattern completion (Miconi et al. 2018): plastic RNN vs the same RNN without "
               "plasticity"};
  tasks::PatternCompletionOptions task;
  task.patterns = 5;
  task.bits = 1000;
  task.show_steps = 6;
  task.gap_steps = 4;
  task.probe_steps = 6;
  task.cycles = 2;
  Setting s{1000, 1, 3e-4, 0.01, 0.01, 32, AlphaShape::kPerConnection, 0, c10::Device(c10::kCPU)};
  std::string alpha_shape = "connection";
  int threads = 0;
  bool plastic_only = false;
  app.add_option("--patterns", task.patterns, "patterns per episode")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--bits", task.bits, "bits per pattern (= neurons)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--show", task.show_steps, "steps each pattern is shown")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--gap", task.gap_steps, "silent steps between patterns")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--probe", task.probe_steps, "steps the half-erased probe is shown")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--cycles", task.cycles, "presentations of the pattern set")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--iterations", s.iterations, "training updates")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--batch", s.batch, "episodes per update")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--lr", s.lr, "Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--alpha", s.alpha_init,
                 "initial alpha: std of N(0, alpha^2) per connection, the constant otherwise")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--eta", s.eta, "initial (learned) Hebbian rate")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--alpha-shape", alpha_shape,
                 "plasticity coefficients per connection, neuron "
                 "or one scalar")
      ->check(CLI::IsMember({"connection", "neuron", "scalar"}))
      ->capture_default_str();
  app.add_option("--test", s.test_episodes, "fresh test episodes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--seed", s.seed, "seed")->capture_default_str();
  app.add_option("--threads", threads, "LibTorch intra-op threads (0: LibTorch's default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--plastic-only", plastic_only, "skip the non-plastic baseline");
  std::string device_name = "cpu";
  engram::examples::add_device_option(app, device_name);
  CLI11_PARSE(app, argc, argv);
  s.device = engram::examples::device_or_exit(device_name);
  s.alpha_shape = alpha_shape == "connection" ? AlphaShape::kPerConnection
                  : alpha_shape == "neuron"   ? AlphaShape::kPerNeuron
                                              : AlphaShape::kScalar;
  if (threads > 0) {
    torch::set_num_threads(threads);
  }
  std::printf("pattern completion: %lld patterns of %lld bits, %lld steps per episode, %lld "
              "iterations of %lld episodes, Adam %g\n",
              static_cast<long long>(task.patterns), static_cast<long long>(task.bits),
              static_cast<long long>(tasks::episode_length(task)),
              static_cast<long long>(s.iterations), static_cast<long long>(s.batch), s.lr);
  const double plastic = train(true, task, s);
  if (plastic_only) {
    std::printf("test erased-bit error (%lld episodes): plastic RNN %.4f\n",
                static_cast<long long>(s.test_episodes), plastic);
    return 0;
  }
  const double fixed = train(false, task, s);
  std::printf("test erased-bit error (%lld episodes): plastic RNN %.4f, non-plastic RNN %.4f\n",
              static_cast<long long>(s.test_episodes), plastic, fixed);
  return 0;
}
