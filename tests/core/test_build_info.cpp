#include <engram/config.h>
#include <engram/core/build_info.h>

#include <gtest/gtest.h>
#include <torch/version.h>

TEST(BuildInfo, ReportsVersionsAndThreads) {
  const auto info = engram::build_info();
  EXPECT_EQ(info.engram_version, ENGRAM_VERSION_STRING);
  EXPECT_EQ(info.torch_version, TORCH_VERSION);
  EXPECT_GE(info.intra_op_threads, 1);
  const auto text = engram::format_build_info(info);
  EXPECT_NE(text.find("LibTorch"), std::string::npos);
  EXPECT_NE(text.find("CUDA kernels"), std::string::npos);
}

TEST(BuildInfo, KernelProbeRunsWhenGpuVisible) {
  const auto info = engram::build_info();
  if (!info.cuda_available || !info.cuda_kernels_compiled) {
    GTEST_SKIP() << "no GPU visible or CUDA kernels not compiled";
  }
  ASSERT_FALSE(info.devices.empty());
  EXPECT_EQ(info.kernel_probe, "ok");
}
