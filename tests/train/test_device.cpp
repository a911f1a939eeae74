// The --device names (engram/train/device.h): what is accepted, what is refused and how the error
// reads, and the --deterministic switch.
#include <engram/train/device.h>

#include <support/error_message.h>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cstdlib>
#include <string>

namespace engram {
namespace {

bool cuda_visible() {
  return torch::cuda::is_available();
}

TEST(DeviceParsing, CpuIsTheCpu) {
  EXPECT_EQ(train::parse_device("cpu"), c10::Device(c10::kCPU));
  EXPECT_EQ(train::device_name(train::parse_device("cpu")), "cpu");
}

TEST(DeviceParsing, AutoPicksCudaOnlyWhenOneIsVisible) {
  const c10::Device d = train::parse_device("auto");
  if (cuda_visible()) {
    EXPECT_EQ(d, c10::Device(c10::kCUDA, 0));
    EXPECT_EQ(train::device_name(d), "cuda:0");
  } else {
    EXPECT_EQ(d, c10::Device(c10::kCPU));
  }
}

TEST(DeviceParsing, UnknownNamesAreRefusedNamingWhatIsAvailable) {
  for (const std::string bad :
       {"mps", "gpu", "CPU", "", "cuda:", "cuda:x", "cuda:-1", "cuda:1a", "cuda0", "cpu:0"}) {
    SCOPED_TRACE(bad);
    EXPECT_ERROR_MENTIONS(train::parse_device(bad), "--device: '" + bad + "' asked");
    EXPECT_ERROR_MENTIONS(train::parse_device(bad), "expected cpu, cuda, cuda:N or auto");
    EXPECT_ERROR_MENTIONS(train::parse_device(bad), "available: cpu");
  }
  // The flag name is the caller's.
  EXPECT_ERROR_MENTIONS(train::parse_device("tpu", "--eval-device"), "--eval-device: 'tpu' asked");
}

TEST(DeviceParsing, ErrorsAreOneLine) {
  const std::string m = testing::error_of([] { train::parse_device("cuda:77"); });
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(m, "no error");
}

TEST(DeviceParsing, CudaWithoutAVisibleGpuIsRefused) {
  if (cuda_visible())
    GTEST_SKIP() << "a CUDA device is visible";
  for (const std::string name : {"cuda", "cuda:0", "cuda:3"}) {
    SCOPED_TRACE(name);
    EXPECT_ERROR_MENTIONS(train::parse_device(name),
                          "--device: '" + name + "' asked, available: cpu (");
  }
  // Why CUDA is missing is said.
  const std::string why = train::available_devices();
  EXPECT_TRUE(why == "cpu (no CUDA device is visible)" || why == "cpu (this LibTorch has no CUDA)")
      << why;
}

TEST(DeviceParsing, CudaIndexPastTheLastIsRefused) {
  if (!cuda_visible())
    GTEST_SKIP() << "no CUDA device";
  const auto n = static_cast<int64_t>(torch::cuda::device_count());
  EXPECT_EQ(train::parse_device("cuda"), c10::Device(c10::kCUDA, 0));
  EXPECT_EQ(train::parse_device("cuda:" + std::to_string(n - 1)),
            c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(n - 1)));
  const std::string past = "cuda:" + std::to_string(n);
  EXPECT_ERROR_MENTIONS(train::parse_device(past),
                        "--device: '" + past + "' asked, available: cpu, cuda:0");
}

// Restores LibTorch's defaults after a test that turns determinism on.
struct DeterministicOff {
  ~DeterministicOff() { train::set_deterministic(false); }
};

TEST(Deterministic, TurnsOnLibTorchsDeterministicAlgorithms) {
  DeterministicOff off;
  train::set_deterministic(true);
  EXPECT_TRUE(at::globalContext().deterministicAlgorithms());
  EXPECT_FALSE(at::globalContext().deterministicAlgorithmsWarnOnly());
  EXPECT_TRUE(at::globalContext().deterministicCuDNN());
  EXPECT_FALSE(at::globalContext().benchmarkCuDNN());
  const char* cublas = std::getenv("CUBLAS_WORKSPACE_CONFIG");
  ASSERT_NE(cublas, nullptr);
  EXPECT_TRUE(std::string(cublas) == ":4096:8" || std::string(cublas) == ":16:8") << cublas;
  train::set_deterministic(false);
  EXPECT_FALSE(at::globalContext().deterministicAlgorithms());
}

TEST(Deterministic, AnOpWithoutADeterministicFormIsAOneLineErrorNamingIt) {
  DeterministicOff off;
  train::set_deterministic(true);
  // What every such op calls (ATen's alert); its LibTorch message becomes one line naming the op.
  const std::string m = testing::error_of([] {
    train::refuse_nondeterministic(
        [] { at::globalContext().alertNotDeterministic("fancy_op_cuda"); });
  });
  EXPECT_NE(m.find("--deterministic: fancy_op_cuda has no deterministic implementation"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  // Other errors pass unchanged.
  EXPECT_ERROR_MENTIONS(train::refuse_nondeterministic([] { TORCH_CHECK(false, "other trouble"); }),
                        "other trouble");
  // Without --deterministic the same op runs.
  train::set_deterministic(false);
  EXPECT_EQ(testing::error_of([] { at::globalContext().alertNotDeterministic("fancy_op_cuda"); }),
            "no error");
}

TEST(Deterministic, ARealCudaOpWithoutOneIsRefused) {
  if (!cuda_visible())
    GTEST_SKIP() << "no CUDA device";
  DeterministicOff off;
  train::set_deterministic(true);
  const at::Tensor x = at::rand({100}, at::TensorOptions().device(at::kCUDA));
  EXPECT_ERROR_MENTIONS(train::refuse_nondeterministic([&] { return at::histc(x, 10); }),
                        "--deterministic: ");
}

} // namespace
} // namespace engram
