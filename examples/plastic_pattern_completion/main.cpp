// Pattern completion (Miconi et al. 2018): a PlasticRNN trained by BPTT against the same network
// with its plasticity removed (alpha = 0). Defaults are the paper's size: 5 patterns of 1000 bits.
//
//   plastic_pattern_completion_demo [patterns=5] [bits=1000] [iterations=1000] [batch=1]
#include <engram/layers/plastic/plastic_rnn.h>
#include <engram/layers/plastic/tasks/pattern_completion.h>

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

using namespace engram::layers;

namespace {

double train(bool plastic, const tasks::PatternCompletionOptions& task, int64_t iterations,
             int64_t batch) {
  torch::manual_seed(0);
  PlasticRNN net(
      PlasticRNNOptions(task.bits, task.bits).eta(0.01).alpha_init(plastic ? 0.01 : 0.0));
  {
    torch::NoGradGuard no_grad;
    net->w_in.copy_(torch::eye(task.bits)); // inputs added directly to the neurons, as the paper
    net->w.uniform_(-0.01, 0.01);
  }
  std::vector<torch::Tensor> trained{net->w, net->bias};
  if (plastic) {
    trained.push_back(net->alpha);
    trained.push_back(net->eta);
  }
  torch::optim::Adam opt(trained, torch::optim::AdamOptions(3e-3));
  const auto start = std::chrono::steady_clock::now();
  double running = 0.5;
  for (int64_t i = 1; i <= iterations; ++i) {
    const auto b = tasks::make_pattern_completion_batch(task, batch);
    const auto out = net(b.inputs).outputs[-1];
    const auto loss = (out - b.targets).square().mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
    running = 0.95 * running + 0.05 * tasks::erased_bit_error(out.detach(), b);
    if (i % std::max<int64_t>(1, iterations / 10) == 0) {
      std::printf("  %s iteration %5lld: loss %.4f, erased-bit error (running) %.4f, %.1f s\n",
                  plastic ? "plastic    " : "non-plastic", static_cast<long long>(i),
                  loss.item<double>(), running,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  torch::NoGradGuard no_grad;
  const auto test = tasks::make_pattern_completion_batch(task, 32);
  return tasks::erased_bit_error(net(test.inputs).outputs[-1], test);
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress shows up when redirected
  std::map<std::string, int64_t> args{
      {"patterns", 5}, {"bits", 1000}, {"iterations", 1000}, {"batch", 1}};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      args[a.substr(0, eq)] = std::stoll(a.substr(eq + 1));
    }
  }
  tasks::PatternCompletionOptions task;
  task.patterns = args["patterns"];
  task.bits = args["bits"];
  std::printf("pattern completion: %lld patterns of %lld bits, %lld steps per episode\n",
              static_cast<long long>(task.patterns), static_cast<long long>(task.bits),
              static_cast<long long>(tasks::episode_length(task)));
  const double plastic = train(true, task, args["iterations"], args["batch"]);
  const double fixed = train(false, task, args["iterations"], args["batch"]);
  std::printf("test erased-bit error: plastic RNN %.4f, non-plastic RNN %.4f\n", plastic, fixed);
  return 0;
}
