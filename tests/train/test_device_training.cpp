// Training on a device through the device-generic path: every strategy, checkpoints resumed on the
// same device (bit-identical) and on another (recorded, within tolerance), the stream copied to the
// device once, the reservoir decided on the device. Each test runs on the CPU here and has a CUDA
// variant that skips without a GPU (scripts/gpu-check runs it).
#include <cl/cl_test_util.h>

#include <engram/cl/reservoir_buffer.h>
#include <engram/io/archive.h>
#include <engram/train/device.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/Device.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/serialize/input-archive.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include <test_paths.h>

namespace engram {
namespace {

// A CUDA variant without a visible GPU: the test skips.
bool no_gpu_for(const std::string& device_name) {
  return device_name.rfind("cuda", 0) == 0 && !torch::cuda::is_available();
}

data::Stream three_task_stream(data::Scenario scenario) {
  data::SyntheticDatasetOptions o;
  o.num_classes = 6;
  o.train_per_class = 60;
  o.test_per_class = 30;
  o.noise = 0.3;
  return data::make_split_stream(data::make_synthetic_dataset(o), scenario, {3, false, 0});
}

cl::OptionOverrides small_options(const std::string& strategy) {
  cl::OptionOverrides hp;
  if (strategy == "ewc" || strategy == "online-ewc")
    hp["fisher_samples"] = 20;
  return hp;
}

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::path(ENGRAM_BINARY_DIR) / "tests" / "train_device";
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::remove(p.c_str());
  return p;
}

std::string param_name(const std::string& s) {
  std::string n = s;
  for (auto& c : n)
    c = (c == '-' || c == ':') ? '_' : c;
  return n;
}

// ---- every strategy trains on the device ------------------------------------------------------

class DeviceTraining : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(DeviceTraining, EveryStrategyLearnsOnTheDevice) {
  const auto& [device_name, strategy] = GetParam();
  if (no_gpu_for(device_name))
    GTEST_SKIP() << "no CUDA device";
  const c10::Device device = train::parse_device(device_name);
  const auto stream = three_task_stream(data::Scenario::kTask);
  train::TrainerConfig cfg;
  cfg.iterations = 60;
  cfg.batch_size = 16;
  cfg.seed = 5;
  cfg.device = device;
  const auto r = testing::run_strategy(stream, strategy, small_options(strategy), cfg);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.device, train::device_name(device));
  EXPECT_FALSE(r.resumed_on_other_device);
  // Task-IL with two classes per task: chance is 0.5; the task just trained is learnt.
  for (size_t t = 0; t < r.accuracy.size(); ++t)
    EXPECT_GT(r.accuracy[t][t], 0.75) << "task " << t;
}

INSTANTIATE_TEST_SUITE_P(Strategies, DeviceTraining,
                         ::testing::Combine(::testing::Values("cpu", "cuda"),
                                            ::testing::Values("naive", "joint", "ewc", "online-ewc",
                                                              "si", "lwf", "replay", "agem", "xdg",
                                                              "hebbian-readout",
                                                              "hippocampal-replay")),
                         [](const auto& info) {
                           return param_name(std::get<0>(info.param) + "_" +
                                             std::get<1>(info.param));
                         });

// ---- checkpoints ------------------------------------------------------------------------------

struct Killed {
  train::RunResult full, resumed;
};

// An uninterrupted run on `first`, and the same run stopped after task 0 on `first` and resumed
// on `second`.
Killed run_killed_and_resumed(const std::string& strategy, const c10::Device& first,
                              const c10::Device& second, const std::string& tag) {
  const auto stream = three_task_stream(data::Scenario::kClass);
  const auto hp = small_options(strategy);
  train::TrainerConfig cfg;
  cfg.iterations = 40;
  cfg.batch_size = 16;
  cfg.seed = 11;
  cfg.fingerprint = strategy;
  cfg.device = first;
  cfg.checkpoint = scratch(strategy + "-" + tag + "-full.ckpt").string();
  Killed k;
  k.full = testing::run_strategy(stream, strategy, hp, cfg);
  cfg.checkpoint = scratch(strategy + "-" + tag + "-killed.ckpt").string();
  cfg.stop_after_task = 0;
  testing::run_strategy(stream, strategy, hp, cfg);
  cfg.stop_after_task = -1;
  cfg.resume = true;
  cfg.device = second;
  k.resumed = testing::run_strategy(stream, strategy, hp, cfg);
  return k;
}

class DeviceCheckpoint : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(DeviceCheckpoint, ResumedOnTheSameDeviceIsBitIdentical) {
  const auto& [device_name, strategy] = GetParam();
  if (no_gpu_for(device_name))
    GTEST_SKIP() << "no CUDA device";
  const c10::Device device = train::parse_device(device_name);
  // Deterministic kernels: on CUDA, cuBLAS and atomics are otherwise free to reorder sums.
  train::set_deterministic(device.is_cuda());
  const Killed k = run_killed_and_resumed(strategy, device, device, device_name);
  train::set_deterministic(false);
  ASSERT_TRUE(k.full.complete());
  ASSERT_TRUE(k.resumed.complete());
  EXPECT_EQ(k.resumed.resumed_from, 1);
  EXPECT_EQ(k.resumed.checkpoint_device, train::device_name(device));
  EXPECT_FALSE(k.resumed.resumed_on_other_device);
  EXPECT_EQ(k.resumed.accuracy, k.full.accuracy);
  EXPECT_EQ(k.resumed.final_loss, k.full.final_loss);
}

INSTANTIATE_TEST_SUITE_P(Strategies, DeviceCheckpoint,
                         ::testing::Combine(::testing::Values("cpu", "cuda"),
                                            ::testing::Values("naive", "ewc", "si", "lwf", "replay",
                                                              "agem", "hippocampal-replay")),
                         [](const auto& info) {
                           return param_name(std::get<0>(info.param) + "_" +
                                             std::get<1>(info.param));
                         });

TEST(DeviceCheckpoint, RecordsTheDeviceItWasWrittenOn) {
  const auto path = scratch("written-on.ckpt");
  const auto stream = three_task_stream(data::Scenario::kClass);
  train::TrainerConfig cfg;
  cfg.iterations = 5;
  cfg.batch_size = 8;
  cfg.checkpoint = path.string();
  cfg.stop_after_task = 0;
  cfg.device = train::parse_device("cpu");
  testing::run_strategy(stream, "replay", {}, cfg);
  // Loaded onto the CPU explicitly, as a resume on the CPU maps it.
  torch::serialize::InputArchive a;
  io::load_archive(a, path.string(), c10::Device(c10::kCPU));
  EXPECT_EQ(io::read_string(a, "device"), "cpu");
  EXPECT_EQ(io::read_int(a, "tasks_completed"), 1);
}

// The cross-device tolerance docs/devices.md states: the same batches (a CPU generator on every
// device), different rounding, so accuracies agree to within 3 points after a short run.
constexpr double kCrossDeviceAccuracyTolerance = 0.03;

void expect_within_tolerance(const train::RunResult& a, const train::RunResult& b) {
  ASSERT_EQ(a.accuracy.size(), b.accuracy.size());
  for (size_t i = 0; i < a.accuracy.size(); ++i)
    for (size_t j = 0; j < a.accuracy[i].size(); ++j)
      EXPECT_NEAR(a.accuracy[i][j], b.accuracy[i][j], kCrossDeviceAccuracyTolerance)
          << "R[" << i << "][" << j << "]";
}

TEST(DeviceCheckpoint, SavedOnCudaResumesOnTheCpuAndBack) {
  if (!torch::cuda::is_available())
    GTEST_SKIP() << "no CUDA device";
  const c10::Device cpu(c10::kCPU), cuda(c10::kCUDA, 0);
  for (const std::string strategy : {"naive", "ewc", "replay", "agem"}) {
    SCOPED_TRACE(strategy);
    const Killed to_cpu = run_killed_and_resumed(strategy, cuda, cpu, "cuda-cpu");
    ASSERT_TRUE(to_cpu.resumed.complete());
    EXPECT_EQ(to_cpu.resumed.checkpoint_device, "cuda:0");
    EXPECT_EQ(to_cpu.resumed.device, "cpu");
    EXPECT_TRUE(to_cpu.resumed.resumed_on_other_device);
    expect_within_tolerance(to_cpu.resumed, to_cpu.full);
    const Killed to_cuda = run_killed_and_resumed(strategy, cpu, cuda, "cpu-cuda");
    ASSERT_TRUE(to_cuda.resumed.complete());
    EXPECT_EQ(to_cuda.resumed.checkpoint_device, "cpu");
    EXPECT_TRUE(to_cuda.resumed.resumed_on_other_device);
    expect_within_tolerance(to_cuda.resumed, to_cuda.full);
    // And a whole CUDA run agrees with a whole CPU run of the same seed.
    expect_within_tolerance(to_cpu.full, to_cuda.full);
  }
}

// ---- data on the device -----------------------------------------------------------------------

class DeviceStream : public ::testing::TestWithParam<std::string> {};

TEST_P(DeviceStream, IsCopiedOnceWithTheImagesStillShared) {
  if (no_gpu_for(GetParam()))
    GTEST_SKIP() << "no CUDA device";
  const c10::Device device = train::parse_device(GetParam());
  const auto stream = three_task_stream(data::Scenario::kClass);
  const auto placed = stream.to(device);
  EXPECT_EQ(placed.device(), device);
  const void* images = placed.task(0).train.images.data_ptr();
  for (const auto& task : placed.tasks()) {
    EXPECT_EQ(task.train.images.device(), device);
    EXPECT_EQ(task.train.indices.device(), device);
    EXPECT_EQ(task.test.targets.device(), device);
    EXPECT_EQ(task.train.images.data_ptr(), images) << "task " << task.id << " has its own copy";
    EXPECT_EQ(placed.active_units(task.id, 2).device(), device);
  }
  // On the device it already lives on, nothing is copied.
  EXPECT_EQ(stream.to(stream.device()).task(1).test.images.data_ptr(),
            stream.task(1).test.images.data_ptr());
  // The same samples wherever they live.
  const at::Tensor pos = at::arange(5, at::kLong);
  EXPECT_TRUE(at::equal(placed.task(1).train.images_at(pos.to(device)).cpu(),
                        stream.task(1).train.images_at(pos)));
}

INSTANTIATE_TEST_SUITE_P(Devices, DeviceStream, ::testing::Values("cpu", "cuda"),
                         [](const auto& info) { return info.param; });

// ---- the reservoir, decided on the device ------------------------------------------------------

// Algorithm R step by step on the host, from the same draws as ReservoirBuffer::add.
struct ReferenceReservoir {
  explicit ReferenceReservoir(int64_t capacity_) : capacity(capacity_) {}
  int64_t capacity;
  int64_t seen = 0;
  std::vector<int64_t> slots;
  void add(int64_t first_id, int64_t n, at::Generator& gen) {
    const at::Tensor upper = at::arange(seen + 1, seen + n + 1, at::kDouble);
    const at::Tensor s = (at::rand({n}, gen, at::kDouble) * upper).floor().to(at::kLong);
    for (int64_t i = 0; i < n; ++i, ++seen) {
      if (seen < capacity)
        slots.push_back(first_id + i);
      else if (s[i].item<int64_t>() < capacity)
        slots[static_cast<size_t>(s[i].item<int64_t>())] = first_id + i;
    }
  }
};

class DeviceReservoir : public ::testing::TestWithParam<std::string> {};

TEST_P(DeviceReservoir, KeepsExactlyWhatSequentialAlgorithmRKeeps) {
  if (no_gpu_for(GetParam()))
    GTEST_SKIP() << "no CUDA device";
  const c10::Device device = train::parse_device(GetParam());
  constexpr int64_t kCapacity = 16;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  auto ref_gen = at::make_generator<at::CPUGeneratorImpl>(7);
  cl::ReservoirBuffer buffer(kCapacity);
  ReferenceReservoir ref(kCapacity);
  int64_t offered = 0;
  // Batches that straddle the fill, and large ones where one slot is drawn twice.
  for (int64_t n : {5, 20, 3, 64, 64, 1, 40}) {
    const at::Tensor ids = at::arange(offered, offered + n, at::kLong);
    const cl::Batch b{ids.to(at::kFloat).unsqueeze(1).to(device), ids.to(device),
                      at::zeros({n}, at::kLong).to(device)};
    buffer.add(b, gen);
    ref.add(offered, n, ref_gen);
    offered += n;
    const at::Tensor got = buffer.contents().y.cpu();
    ASSERT_EQ(got.size(0), static_cast<int64_t>(ref.slots.size()));
    for (int64_t s = 0; s < got.size(0); ++s)
      EXPECT_EQ(got[s].item<int64_t>(), ref.slots[static_cast<size_t>(s)]) << "slot " << s;
    EXPECT_EQ(buffer.contents().x.device(), device);
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, DeviceReservoir, ::testing::Values("cpu", "cuda"),
                         [](const auto& info) { return info.param; });

} // namespace
} // namespace engram
