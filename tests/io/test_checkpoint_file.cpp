// Checkpoint files carry a checksum trailer: every truncation, byte flip or trailer edit is
// refused with one line naming the file, before the payload is parsed.
#include <engram/io/archive.h>
#include <engram/io/atomic_file.h>
#include <engram/io/detail/archive_bounds.h>

#include <support/error_message.h>
#include <support/scratch_dir.h>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
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

std::string sample_payload() {
  torch::serialize::OutputArchive a;
  write_string(a, "fingerprint", "{\"seed\":\"3\"}");
  write_tensor(a, "weights", at::arange(12, at::kFloat));
  std::ostringstream out;
  a.save_to(out);
  return out.str();
}

std::string payload_error(const std::string& payload) {
  torch::serialize::InputArchive in;
  return engram::testing::error_of([&] { load_archive_payload(in, payload, "p.ckpt"); });
}

// A payload that passes the checksum can still claim gigabytes: LibTorch's reader allocates what a
// pickled string, a memo index or a zip record claims before reading it. Each claim is refused in
// one line, before any allocation (found by fuzz_checkpoint_payload: a 4 GiB string length).
TEST(CheckpointFile, PayloadClaimsBeyondItsBytesAreRefused) {
  const std::string good = sample_payload();
  ASSERT_EQ(payload_error(good), "no error");

  std::string string_length = good; // the pickled key "fingerprint": BINUNICODE, length 11
  const std::string key = std::string("X\x0b\0\0\0fingerprint", 16);
  const auto at = string_length.find(key);
  ASSERT_NE(at, std::string::npos);
  string_length[at + 3] = '\xf6';
  string_length[at + 4] = '\xff';
  std::string message = payload_error(string_length);
  EXPECT_NE(message.find("checkpoint 'p.ckpt' is corrupt: pickle '"), std::string::npos) << message;
  EXPECT_NE(message.find("needs 4294311947 bytes"), std::string::npos) << message;

  std::string record_size = good; // the first central-directory entry's uncompressed size
  const auto entry = record_size.find(std::string("PK\1\2", 4));
  ASSERT_NE(entry, std::string::npos);
  record_size.replace(entry + 24, 4, std::string("\0\0\0\xf0", 4));
  message = payload_error(record_size);
  EXPECT_NE(message.find("claims 4026531840 bytes"), std::string::npos) << message;

  std::string directory = good; // the zip64 end record's directory offset, past the payload
  const auto end = directory.rfind(std::string("PK\6\6", 4));
  ASSERT_NE(end, std::string::npos);
  directory.replace(end + 48, 8, std::string("\0\0\0\0\1\0\0\0", 8));
  message = payload_error(directory);
  EXPECT_NE(message.find("the zip directory claims"), std::string::npos) << message;
  for (const std::string& m : {string_length, record_size, directory})
    EXPECT_EQ(payload_error(m).find('\n'), std::string::npos);
}

TEST(CheckpointFile, PickleScanRefusesHugeMemoIndicesAndUnknownOpcodes) {
  using detail::check_pickle_bounds;
  EXPECT_NO_THROW(check_pickle_bounds(std::string("\x80\x02N\x71\x00.", 6), "ok.pkl"));
  EXPECT_ERROR_MENTIONS(check_pickle_bounds(std::string("\x80\x02Nr\xff\xff\xff\x7f.", 9), "m.pkl"),
                        "memo index 2147483647");
  EXPECT_ERROR_MENTIONS(check_pickle_bounds(std::string("\x80\x02Np99999999\n.", 15), "p.pkl"),
                        "memo index 99999999");
  EXPECT_ERROR_MENTIONS(check_pickle_bounds(std::string("\x80\x02\xff.", 4), "u.pkl"),
                        "unknown opcode 0xff");
  EXPECT_ERROR_MENTIONS(check_pickle_bounds(std::string("\x80\x02N", 3), "s.pkl"),
                        "ends without a STOP opcode");
  EXPECT_ERROR_MENTIONS(
      check_pickle_bounds(std::string("\x80\x02\x8d\1\0\0\0\0\0\0\x80.", 13), "b.pkl"),
      "needs 9223372036854775809 bytes");
}

} // namespace
} // namespace engram::io
