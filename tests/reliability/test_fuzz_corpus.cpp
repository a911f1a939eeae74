// Replays the committed fuzz corpus (tests/fuzz/corpus/<target>/) through the fuzz targets' entry
// points in every build: inputs that once crashed a parser, and the seeds, keep being refused
// cleanly (or parsed) without a crash or a non-engram exception.
#include <fuzz/fuzz_entries.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>

#include <test_paths.h>

namespace engram {
namespace {

namespace fs = std::filesystem;

TEST(FuzzCorpus, EveryCommittedInputIsHandled) {
  const std::map<std::string, std::function<void(const uint8_t*, size_t)>> targets = {
      {"idx_file", fuzz::idx_file},
      {"cifar_file", fuzz::cifar_file},
      {"preset_json", fuzz::preset_json},
      {"results_json", fuzz::results_json},
      {"checkpoint_payload", fuzz::checkpoint_payload}};
  const fs::path root = fs::path(ENGRAM_SOURCE_DIR) / "tests" / "fuzz" / "corpus";
  for (const auto& [name, entry] : targets) {
    int inputs = 0;
    ASSERT_TRUE(fs::is_directory(root / name)) << (root / name);
    for (const auto& file : fs::directory_iterator(root / name)) {
      std::ifstream in(file.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      EXPECT_NO_THROW(entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
          << file.path();
      ++inputs;
    }
    EXPECT_GT(inputs, 0) << name << ": empty corpus";
  }
}

} // namespace
} // namespace engram
