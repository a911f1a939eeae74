#include <engram/data/idx.h>

#include "support/scratch_dir.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  return engram::testing::scratch_dir("idx_" + name);
}

} // namespace

TEST(Idx, RoundTripsEveryTypePlainAndGzip) {
  const auto dir = temp_dir("roundtrip");
  at::manual_seed(3);
  for (const auto dtype : {at::kByte, at::kChar, at::kShort, at::kInt, at::kFloat, at::kDouble}) {
    const auto t = (at::randn({3, 4, 5}) * 100).to(dtype);
    for (const std::string ext : {"", ".gz"}) {
      const auto path = (dir / ("t" + ext)).string();
      engram::data::write_idx(path, t);
      const auto back = engram::data::read_idx(path);
      EXPECT_EQ(back.scalar_type(), dtype);
      EXPECT_TRUE(at::equal(back, t)) << "dtype " << dtype << ext;
    }
  }
}

TEST(Idx, ReadsKnownBigEndianBytes) {
  const auto dir = temp_dir("bytes");
  const auto path = (dir / "x").string();
  // int32 vector of 2 elements: 1 and 258, big-endian.
  const unsigned char bytes[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2};
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes), sizeof(bytes));
  const auto t = engram::data::read_idx(path);
  ASSERT_EQ(t.sizes(), at::IntArrayRef({2}));
  EXPECT_EQ(t[0].item<int>(), 1);
  EXPECT_EQ(t[1].item<int>(), 258);
}

TEST(Idx, RejectsBadFilesWithNamedErrors) {
  const auto dir = temp_dir("bad");
  EXPECT_THROW(
      {
        try {
          engram::data::read_idx((dir / "missing").string());
        } catch (const c10::Error& e) {
          EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos);
          throw;
        }
      },
      c10::Error);
  const auto truncated = (dir / "truncated").string();
  engram::data::write_idx(truncated, at::zeros({10, 10}, at::kByte));
  fs::resize_file(truncated, 50);
  try {
    engram::data::read_idx(truncated);
    FAIL() << "truncated file accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected 112"), std::string::npos) << e.what();
  }
  const auto garbage = (dir / "garbage").string();
  std::ofstream(garbage) << "hello world";
  EXPECT_THROW(engram::data::read_idx(garbage), c10::Error);
}

TEST(Idx, LoadsMnistDirectoryLayout) {
  const auto dir = temp_dir("mnist");
  const auto images = at::randint(0, 256, {7, 28, 28}, at::kByte);
  const auto labels = at::randint(0, 10, {7}, at::kByte);
  engram::data::write_idx((dir / "t10k-images-idx3-ubyte.gz").string(), images);
  engram::data::write_idx((dir / "t10k-labels-idx1-ubyte").string(), labels);
  const auto split = engram::data::load_mnist_split(dir.string(), /*train=*/false);
  EXPECT_EQ(split.images.sizes(), at::IntArrayRef({7, 784}));
  EXPECT_EQ(split.rows, 28);
  EXPECT_TRUE(at::allclose(split.images, images.reshape({7, 784}).to(at::kFloat) / 255.0));
  EXPECT_TRUE(at::equal(split.labels, labels.to(at::kLong)));
  EXPECT_THROW(engram::data::load_mnist_split(dir.string(), /*train=*/true), c10::Error);
}

TEST(Idx, ReadsFashionMnistWhenInstalled) {
  const std::string dir = engram::data::kDefaultFashionMnistDir;
  if (!fs::exists(dir + "/t10k-labels-idx1-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist not installed";
  }
  const auto split = engram::data::load_mnist_split(dir, /*train=*/false);
  EXPECT_EQ(split.images.size(0), 10000);
  EXPECT_EQ(split.images.size(1), 784);
  EXPECT_EQ(at::bincount(split.labels).min().item<int64_t>(), 1000); // balanced classes
}

// Run by the CTest `reliability.idx_full_disk`, which sets ENGRAM_IO_FAIL_AFTER_BYTES (the I/O
// layer reads it once per process): plain and gzip IDX writes both fail with a one-line error
// naming the file, keep the previous version and leave no temporary file.
TEST(IdxFullDisk, PlainAndGzipWritesFailCleanly) {
  if (std::getenv("ENGRAM_IO_FAIL_AFTER_BYTES") == nullptr) {
    GTEST_SKIP() << "run by reliability.idx_full_disk (sets ENGRAM_IO_FAIL_AFTER_BYTES)";
  }
  const auto dir = temp_dir("full_disk");
  at::manual_seed(5);
  const auto small = at::arange(4, at::kByte);
  const auto big = at::randn({64, 256});
  const std::vector<std::string> paths{(dir / "t").string(), (dir / "t.gz").string()};
  // The previous versions first: the byte budget is shared by every write of the process.
  for (const auto& path : paths) {
    engram::data::write_idx(path, small);
  }
  for (const auto& path : paths) {
    try {
      engram::data::write_idx(path, big);
      ADD_FAILURE() << "writing " << path << " past the byte limit did not fail";
    } catch (const c10::Error& e) {
      const std::string msg = e.what_without_backtrace();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
    EXPECT_TRUE(at::equal(engram::data::read_idx(path), small)) << path;
    for (const auto& entry : fs::directory_iterator(dir)) {
      EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
    }
  }
}
