// Associative recall at full size: each episode writes 20 (key, value) symbol pairs into a
// KeyValueMemory, then queries one key; the model must name its value. The encoders, decoder and
// read sharpness are trained end to end; accuracy on a fixed set of held-out episodes is printed
// over training.
//
//   example_memory_associative_recall [seed=1] [steps=400] [symbols=64] [width=64]
//       [--device cpu|cuda|cuda:N|auto]
#include <common/device_option.h>

#include <ATen/Parallel.h>
#include <engram/models/associative_recall_model.h>
#include <engram/tasks/memory_tasks.h>

#include <CLI/CLI.hpp>
#include <torch/optim/adam.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace tasks = engram::tasks;
namespace models = engram::models;

int main(int argc, char** argv) {
  // Models this small gain nothing from intra-op threads, which thrash on a loaded machine.
  at::set_num_threads(1);
  CLI::App app{"Associative recall over 20 key-value pairs with a KeyValueMemory"};
  uint64_t seed = 1;
  int64_t steps = 400, symbols = 64, width = 64;
  app.add_option("seed", seed, "seed");
  app.add_option("steps", steps, "training steps");
  app.add_option("symbols", symbols, "alphabet size");
  app.add_option("width", width, "embedding width");
  std::string device_name = "cpu";
  engram::examples::add_device_option(app, device_name);
  CLI11_PARSE(app, argc, argv);
  const c10::Device device = engram::examples::device_or_exit(device_name);
  // Episodes are drawn on the CPU (the same ones on every device) and sent to the device.
  const auto on_device = [&device](tasks::AssociativeRecallBatch b) {
    for (at::Tensor* t : {&b.keys, &b.values, &b.query, &b.answer})
      *t = t->to(device);
    return b;
  };
  const int64_t pairs = 20, batch = 64, eval_episodes = 2000;
  if (steps < 1 || symbols < pairs || width < 1) {
    std::fprintf(stderr, "expected steps >= 1, symbols >= %lld, width >= 1\n",
                 static_cast<long long>(pairs));
    return 2;
  }
  torch::manual_seed(seed);
  const tasks::AssociativeRecallBatch held_out =
      on_device(tasks::associative_recall(eval_episodes, pairs, symbols));
  models::AssociativeRecallModel model(
      models::AssociativeRecallModelOptions(symbols, pairs, width));
  model->to(device);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  auto evaluate = [&] {
    at::NoGradGuard no_grad;
    return model(held_out).argmax(-1).eq(held_out.answer).to(at::kFloat).mean().item<double>();
  };
  std::printf("Associative recall: %lld pairs per episode, %lld symbols, width %lld, batch %lld; "
              "accuracy on %lld held-out episodes (chance %.3f)\n",
              static_cast<long long>(pairs), static_cast<long long>(symbols),
              static_cast<long long>(width), static_cast<long long>(batch),
              static_cast<long long>(eval_episodes), 1.0 / static_cast<double>(symbols));
  std::printf("%6s %10s %10s %8s\n", "step", "loss", "accuracy", "beta");
  std::printf("%6d %10s %9.2f%% %8.2f\n", 0, "-", 100 * evaluate(),
              model->memory->beta().item<double>());
  const auto start = std::chrono::steady_clock::now();
  int64_t first_above_95 = -1;
  for (int64_t step = 1; step <= steps; ++step) {
    const auto episode = on_device(tasks::associative_recall(batch, pairs, symbols));
    const at::Tensor loss = at::cross_entropy_loss(model(episode), episode.answer);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    const bool report = step <= 100 ? step % 10 == 0 : step % 50 == 0;
    if (report || step == steps) {
      const double accuracy = evaluate();
      if (first_above_95 < 0 && accuracy > 0.95)
        first_above_95 = step;
      std::printf("%6lld %10.4f %9.2f%% %8.2f\n", static_cast<long long>(step), loss.item<double>(),
                  100 * accuracy, model->memory->beta().item<double>());
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("final accuracy %.2f%% after %lld steps; first above 95%% at step %lld (%.1f s)\n",
              100 * evaluate(), static_cast<long long>(steps),
              static_cast<long long>(first_above_95), seconds);
  return 0;
}
