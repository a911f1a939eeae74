// Iterations/s of engram's continual-learning trainer on the reduced ResNet-18
// (models/reduced-resnet18.json) with CIFAR-format data: the loop `engram run` runs (batch drawn on
// the data's device, standard augmentation, forward, masked cross-entropy, backward, SGD step),
// timed over the first task of Split CIFAR-10 in the class-IL scenario. The images are random
// normalised values (throughput does not depend on them). bench/python/resnet_trainer_peer.py is
// the same model and loop in PyTorch; bench/python/compare_resnet.sh runs both side by side.
//
// Usage: bench_resnet_training [--iterations 30] [--batch-size 32] [--threads 1]
//                              [--augment none|standard] [--preset models/reduced-resnet18.json]
//                              [--profile trace.json]
// Prints one JSON line: iterations, seconds, iterations_per_second, peak_rss_mb. With --profile,
// LibTorch's (Kineto) CPU profiler records every op of the run and writes a Chrome trace there;
// bench/python/profile_resnet.py splits it into the phases of an iteration, beside the peer's.
#include <engram/data/dataset.h>
#include <engram/models/preset.h>
#include <engram/train/experiment.h>
#include <engram/train/host_memory.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_kineto.h>

#include <ctime>
#include <iostream>
#include <set>
#include <string>

int main(int argc, char** argv) {
  int64_t iterations = 30, batch_size = 32, threads = 1, images = 2000;
  std::string augment = "standard";
  std::string preset = "models/reduced-resnet18.json"; // run from the repository root
  std::string profile;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--iterations")
      iterations = std::stoll(value);
    else if (flag == "--batch-size")
      batch_size = std::stoll(value);
    else if (flag == "--threads")
      threads = std::stoll(value);
    else if (flag == "--augment")
      augment = value;
    else if (flag == "--preset")
      preset = value;
    else if (flag == "--profile")
      profile = value;
    else {
      std::cerr << "bench_resnet_training: unknown flag " << flag << "\n";
      return 2;
    }
  }
  engram::train::tune_host_allocator(); // as the engram executable does
  at::set_num_threads(static_cast<int>(threads));
  at::manual_seed(0);
  engram::data::Dataset d;
  d.train_images = at::randn({images, 3 * 32 * 32});
  d.train_labels = at::arange(10, at::kLong).repeat(images / 10);
  d.test_images = at::randn({10, 3 * 32 * 32});
  d.test_labels = at::arange(10, at::kLong);
  d.channels = 3;
  d.rows = d.cols = 32;
  d.num_classes = 10;
  d.name = "cifar10";
  d.mean = {0.4914, 0.4822, 0.4465};
  d.std = {0.2470, 0.2435, 0.2616};

  engram::train::ExperimentSpec spec;
  spec.preset = engram::models::load_preset(preset);
  spec.benchmark = "split-cifar10";
  spec.scenario = "class";
  spec.strategy = "naive";
  spec.iterations = iterations;
  spec.batch_size = batch_size;
  spec.augment = augment;
  spec.stop_after_task = 0; // the first task only
  spec.progress = false;
  // CPU time of the whole run (model set-up and two evaluations of 10 images included): on a
  // loaded machine it is steadier than wall time.
  namespace profiler = torch::autograd::profiler;
  const std::set<torch::profiler::impl::ActivityType> activities{
      torch::profiler::impl::ActivityType::CPU};
  const torch::profiler::impl::ProfilerConfig profiler_config(
      torch::profiler::impl::ProfilerState::KINETO);
  if (!profile.empty()) {
    profiler::prepareProfiler(profiler_config, activities);
    profiler::enableProfiler(profiler_config, activities);
  }
  const std::clock_t cpu_start = std::clock();
  const auto record = engram::train::run_experiment(spec, d);
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  if (!profile.empty())
    profiler::disableProfiler()->save(profile);
  const double seconds = record.result.task_seconds.at(0);
  std::cout << "{\"impl\": \"engram\", \"iterations\": " << iterations
            << ", \"batch_size\": " << batch_size << ", \"seconds\": " << seconds
            << ", \"iterations_per_second\": " << static_cast<double>(iterations) / seconds
            << ", \"cpu_seconds\": " << cpu_seconds
            << ", \"iterations_per_cpu_second\": " << static_cast<double>(iterations) / cpu_seconds
            << ", \"peak_rss_mb\": " << record.result.peak_rss_mb << ", \"threads\": " << threads
            << ", \"augment\": \"" << augment << "\"}\n";
  return 0;
}
