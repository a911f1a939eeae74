// Embedding engram in an application: link Engram::engram, include <engram/...>.
//
// The program builds a network with a plastic layer (PlasticLinear, Miconi et al. 2018) from a
// preset, trains it on a short continual stream (Split Fashion-MNIST, class-incremental, with
// experience replay) through the library's C++ API, saves it with torch::save, loads it back into
// a freshly built network and checks that the loaded network predicts exactly what the trained
// one does. It takes a few seconds; without Fashion-MNIST it uses the synthetic benchmark.
//
//   embed [--device cpu|cuda|cuda:N|auto]   (default cpu)
#include <engram/cl/strategy_registry.h>
#include <engram/core/build_info.h>
#include <engram/data/benchmark.h>
#include <engram/models/layer_registry.h>
#include <engram/models/preset.h>
#include <engram/train/continual_trainer.h>
#include <engram/train/device.h>

#include <c10/util/Exception.h>
#include <torch/serialize.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace engram;

// A small preset: one ordinary hidden layer, then a plastic one. The trainer adds the linear head.
// clang-format off
constexpr const char* kPreset = R"preset({
  "name": "embed-plastic",
  "description": "784-64 ReLU, then a 64-unit PlasticLinear (hebb, ReLU)",
  "layers": [
    {"type": "linear", "out_features": 64},
    {"type": "relu"},
    {"type": "plastic_linear", "out_features": 64, "rule": "hebb", "activation": "relu",
     "eta": 0.1, "alpha_init": 0.01}
  ]
})preset";
// clang-format on

// The continual-learning strategy: experience replay from a reservoir of 500 samples.
// (Kept in one function: the only place that names the strategy registry's API.)
std::unique_ptr<cl::Strategy> make_replay_strategy(uint64_t seed) {
  return cl::make_strategy("replay", {{"buffer_size", 500}}, seed);
}

// Split Fashion-MNIST (Debian's dataset-fashion-mnist, or $ENGRAM_FASHION_MNIST_DIR); the
// synthetic benchmark when it cannot be read.
data::Dataset load_dataset(data::BenchmarkName& name) {
  try {
    return data::load_benchmark_dataset(name);
  } catch (const c10::Error& e) {
    std::cout << "Fashion-MNIST not available (" << e.what_without_backtrace()
              << "); using split-synthetic\n";
    name = data::parse_benchmark("split-synthetic");
    return data::load_benchmark_dataset(name);
  }
}

// Mean accuracy over tasks, in percent.
double mean_percent(const std::vector<double>& accuracies) {
  double sum = 0;
  for (double a : accuracies)
    sum += a;
  return 100.0 * sum / static_cast<double>(accuracies.size());
}

void print_accuracies(const std::string& what, const std::vector<double>& accuracies) {
  std::cout << what << ":";
  for (double a : accuracies)
    std::cout << " " << std::fixed << std::setprecision(1) << 100.0 * a;
  std::cout << "  (mean " << std::setprecision(2) << mean_percent(accuracies) << "%)\n";
}

} // namespace

int main(int argc, char** argv) {
  try {
    const auto info = build_info();
    std::cout << "engram " << info.engram_version << " on LibTorch " << info.torch_version << "\n";
    torch::set_num_threads(1);

    // 0. The device: --device NAME, as `engram run` takes it.
    std::string device_name = "cpu";
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      TORCH_CHECK(arg == "--device" && i + 1 < argc, "usage: embed [--device NAME], got '", arg,
                  "'");
      device_name = argv[++i];
    }
    const c10::Device device = train::parse_device(device_name);

    // 1. The stream: 5 tasks of 2 classes, class-incremental (one head grows over the classes).
    data::BenchmarkName benchmark = data::parse_benchmark("split-fmnist");
    const data::Dataset dataset = load_dataset(benchmark);
    const data::Stream stream =
        data::make_benchmark_stream(benchmark, dataset, data::Scenario::kClass, /*num_tasks=*/5,
                                    /*seed=*/0);

    // 2. The model: the preset's layers, built for the stream's input and output sizes. The
    //    trainer builds its network through this function, so keep the first one it builds.
    const models::Preset preset = models::parse_preset(kPreset, "embed-plastic");
    models::Network trained{nullptr};
    auto make_model = [&]() {
      models::Network net = models::build_network(preset, stream.input_dim(), stream.num_outputs());
      if (!trained)
        trained = net;
      return net;
    };

    // 3. Train: 60 Adam steps of batch 64 per task (plus as many replayed samples).
    torch::manual_seed(0);
    train::TrainerConfig config;
    config.iterations = 60;
    config.batch_size = 64;
    config.lr = 1e-3;
    config.seed = 0;
    config.device = device; // the trainer moves the model and a copy of the stream there
    auto strategy = make_replay_strategy(config.seed);
    const train::RunResult result = train::run_continual(stream, *strategy, make_model, config);
    TORCH_CHECK(result.complete() && trained, "embed: training did not complete");
    std::cout << "trained " << stream.name() << " (" << stream.num_tasks() << " tasks, "
              << data::to_string(stream.scenario()) << "-IL) with " << strategy->name() << " in "
              << std::setprecision(1) << std::fixed << result.total_seconds << " s\n";
    print_accuracies("test accuracy per task (%) after task 1", result.accuracy.front());
    print_accuracies("test accuracy per task (%) after task " + std::to_string(stream.num_tasks()),
                     result.accuracy.back());
    std::cout << "ACC " << std::setprecision(2) << 100.0 * result.metrics.acc << "%, BWT "
              << 100.0 * result.metrics.bwt << " points\n";

    // 4. Save, then load into a fresh network with different initial weights.
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("engram-embed-" + std::to_string(::getpid()) + ".pt"))
                                 .string();
    torch::save(trained, path);
    torch::manual_seed(1);
    models::Network loaded =
        models::build_network(preset, stream.input_dim(), stream.num_outputs());
    torch::load(loaded, path, device);
    loaded->to(device);
    std::remove(path.c_str());

    // 5. Predict with both on every task's test set: the same logits, the same accuracies.
    trained->eval();
    loaded->eval();
    torch::NoGradGuard no_grad;
    const data::Stream placed = stream.to(device);
    for (const auto& task : placed.tasks()) {
      const auto all =
          torch::arange(task.test.size(), torch::TensorOptions(torch::kLong).device(device));
      const auto x = task.test.images_at(all);
      TORCH_CHECK(torch::equal(trained->forward(x), loaded->forward(x)),
                  "embed: the loaded network's logits differ from the trained one's on task ",
                  task.id);
    }
    const int64_t last = stream.num_tasks() - 1;
    const auto reloaded =
        train::evaluate_tasks(*loaded, *strategy, placed, last, config.eval_batch);
    print_accuracies("the same, network loaded from " + path, reloaded);
    TORCH_CHECK(reloaded == result.accuracy.back(),
                "embed: the loaded network's accuracies differ from the trained one's");
    std::cout << "loaded network predicts identically\n";
    std::cout << "embed example: ok\n";
    return 0;
  } catch (const c10::Error& e) {
    std::cerr << "embed example: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "embed example: " << e.what() << "\n";
    return 1;
  }
}
