// Checkpoint files carry a checksum trailer: every truncation, byte flip or trailer edit is
// refused with one line naming the file, before the payload is parsed.
#include <engram/io/archive.h>
#include <engram/io/atomic_file.h>

#include <support/error_message.h>
#include <support/scratch_dir.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

namespace engram::io {
namespace {

namespace fs = std::filesystem;

std::string fresh_path(const std::string& name) {
  static const fs::path dir = engram::testing::scratch_dir("ckpt");
  return (dir / name).string();
}

void save_sample(const std::string& path) {
  torch::serialize::OutputArchive a;
  write_string(a, "fingerprint", "{\"seed\":\"3\"}");
  write_int(a, "tasks_completed", 2);
  write_tensor(a, "weights", at::arange(1000, at::kFloat).reshape({10, 100}));
  save_archive(a, path);
}

void expect_sample(torch::serialize::InputArchive& a) {
  EXPECT_EQ(read_string(a, "fingerprint"), "{\"seed\":\"3\"}");
  EXPECT_EQ(read_int(a, "tasks_completed"), 2);
  EXPECT_TRUE(
      at::equal(read_tensor(a, "weights"), at::arange(1000, at::kFloat).reshape({10, 100})));
}

TEST(CheckpointFile, RoundTrips) {
  const std::string path = fresh_path("roundtrip.ckpt");
  save_sample(path);
  torch::serialize::InputArchive a;
  load_archive(a, path);
  expect_sample(a);
}

TEST(CheckpointFile, TrailerIsWrittenLast) {
  const std::string path = fresh_path("trailer.ckpt");
  save_sample(path);
  const std::string bytes = read_file(path, "checkpoint");
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(bytes.size() - 24, 8), "ENGRAMCK");
}

TEST(CheckpointFile, RefusesFilesWithoutTrailer) {
  const std::string path = fresh_path("plain.ckpt");
  torch::serialize::OutputArchive a;
  write_int(a, "x", 1);
  a.save_to(path); // a plain LibTorch archive, as checkpoints were before they carried a checksum
  torch::serialize::InputArchive in;
  EXPECT_ERROR_MENTIONS(load_archive(in, path), "checkpoint '" + path + "' is corrupt or not an");
}

TEST(CheckpointFile, MissingFileIsNamed) {
  torch::serialize::InputArchive in;
  EXPECT_ERROR_MENTIONS(load_archive(in, "/nonexistent/x.ckpt"), "'/nonexistent/x.ckpt'");
}

// The mutation test: a fixed-seed set of truncations, byte flips, appended bytes and trailer
// edits. Each gives a one-line error naming the file; none loads.
TEST(CheckpointFile, EveryMutationIsRefusedWithOneLine) {
  const std::string good_path = fresh_path("good.ckpt");
  save_sample(good_path);
  const std::string good = read_file(good_path, "checkpoint");
  const std::string path = fresh_path("mutant.ckpt");
  std::mt19937 rng(20261202);
  int cases = 0;
  auto check = [&](const std::string& mutant, const std::string& what) {
    ASSERT_NE(mutant, good) << what;
    {
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f.write(mutant.data(), static_cast<std::streamsize>(mutant.size()));
    }
    torch::serialize::InputArchive in;
    const std::string message = engram::testing::error_of([&] { load_archive(in, path); });
    EXPECT_NE(message, "no error") << what << " loaded";
    EXPECT_NE(message.find("checkpoint '" + path + "'"), std::string::npos)
        << what << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << what << ": " << message;
    ++cases;
  };
  std::uniform_int_distribution<size_t> position(0, good.size() - 1);
  for (int i = 0; i < 60; ++i) { // single-bit and whole-byte flips anywhere, the trailer included
    std::string m = good;
    const size_t at = position(rng);
    m[at] = static_cast<char>(m[at] ^ (i % 2 == 0 ? (1 << (i % 8)) : 0xFF));
    check(m, "flip at " + std::to_string(at));
  }
  for (int i = 0; i < 30; ++i) { // truncations, from empty to one byte short
    const size_t keep = i == 0 ? 0 : position(rng);
    check(good.substr(0, keep), "truncated to " + std::to_string(keep));
  }
  check(good.substr(0, good.size() - 1), "one byte short");
  check(good + "garbage", "appended bytes");
  check(good.substr(0, good.size() - 24), "trailer removed");
  std::string version = good;
  version[version.size() - 4] = 2;
  check(version, "another trailer version");
  EXPECT_EQ(cases, 94);
}

// Below the checksum, the payload parser itself refuses garbage with one line (the fuzz target's
// entry point).
TEST(CheckpointFile, PayloadParserRefusesGarbage) {
  const std::string path = fresh_path("payload.ckpt");
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::string garbage(static_cast<size_t>(rng() % 300), '\0');
    for (char& c : garbage)
      c = static_cast<char>(rng());
    if (i % 2 == 0)
      garbage.replace(0, std::min<size_t>(4, garbage.size()), std::string("PK\3\4", 4), 0,
                      std::min<size_t>(4, garbage.size())); // a zip header to get further in
    torch::serialize::InputArchive in;
    const std::string message =
        engram::testing::error_of([&] { load_archive_payload(in, garbage, path); });
    EXPECT_NE(message.find("checkpoint '" + path + "' is corrupt"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

} // namespace
} // namespace engram::io
