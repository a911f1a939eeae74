// The mutation test: a fixed-seed set of truncations, byte flips and edits of every kind of file
// engram reads (results files, IDX files, presets; checkpoints in tests/io). Each mutant gives a
// clean one-line error (c10::Error) or a correct result, never a crash, a hang or another
// exception type.
#include <engram/data/cifar.h>
#include <engram/data/idx.h>
#include <engram/io/atomic_file.h>
#include <engram/models/preset.h>
#include <engram/train/results_schema.h>

#include "support/scratch_dir.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <unistd.h>

#include <test_paths.h>

namespace engram {
namespace {

namespace fs = std::filesystem;

// Mutants of `good`: single-byte flips and overwrites, truncations, deletions, duplications.
std::vector<std::string> mutants(const std::string& good, uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  const auto at = [&] { return static_cast<size_t>(rng() % good.size()); };
  for (int i = 0; i < count; ++i) {
    std::string m = good;
    switch (i % 5) {
    case 0:
      m[at()] ^= static_cast<char>(1 << (rng() % 8));
      break;
    case 1:
      m[at()] = static_cast<char>(rng());
      break;
    case 2:
      m.resize(at());
      break;
    case 3:
      m.erase(at(), 1 + rng() % 8);
      break;
    default: {
      const size_t p = at();
      m.insert(p, good.substr(p, 1 + rng() % 16));
    }
    }
    out.push_back(m);
  }
  return out;
}

// Runs f on each mutant: it returns normally or throws a one-line c10::Error.
void expect_clean(const std::vector<std::string>& ms,
                  const std::function<void(const std::string&)>& f, const std::string& kind) {
  int errors = 0;
  for (size_t i = 0; i < ms.size(); ++i) {
    try {
      f(ms[i]);
    } catch (const c10::Error& e) {
      ++errors;
      const std::string msg = e.what_without_backtrace();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << kind << " mutant " << i << ": " << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << kind << " mutant " << i << " threw a non-engram error: " << e.what();
    }
  }
  EXPECT_GT(errors, 0) << kind << ": no mutant was refused";
}

std::string scratch(const std::string& name) {
  static const fs::path dir = engram::testing::scratch_dir("mut");
  return (dir / name).string();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(Mutations, ResultsFiles) {
  const std::string good =
      R"({"schema": "engram.cl.results/1", "runs": [{"benchmark": "split-synthetic",
      "scenario": "class", "strategy": "naive", "status": "ok", "num_tasks": 2,
      "tasks": ["classes 0,1", "classes 2,3"], "accuracy_matrix": [[0.9, 0.1], [0.4, 0.95]],
      "random_init_accuracy": [0.5, 0.5], "task_seconds": [0.1, 0.2], "final_loss": [0.3, 0.2],
      "metrics": {"acc": 0.675, "bwt": -0.5, "fwt": null, "forgetting": 0.5}}]})";
  train::validate_results_document(good, "r.json");
  expect_clean(
      mutants(good, 1, 400),
      [](const std::string& m) { train::validate_results_document(m, "r.json"); }, "results");
}

TEST(Mutations, Presets) {
  const std::string good =
      io::read_file(std::string(ENGRAM_SOURCE_DIR) + "/models/mlp-2x400.json", "preset");
  models::parse_preset(good, "mlp-2x400.json");
  expect_clean(
      mutants(good, 2, 400),
      [](const std::string& m) { models::parse_preset(m, "mlp-2x400.json"); }, "preset");
}

TEST(Mutations, IdxFiles) {
  at::manual_seed(5);
  const std::string path = scratch("x-idx3-ubyte");
  data::write_idx(path, (at::rand({6, 7, 8}) * 255).to(at::kByte));
  const std::string good = io::read_file(path, "idx");
  expect_clean(
      mutants(good, 3, 300),
      [&](const std::string& m) {
        write_bytes(path, m);
        const at::Tensor t = data::read_idx(path);
        // Accepted only when the header agrees with the bytes that follow it.
        const size_t header = 4 + 4 * static_cast<size_t>(t.dim());
        ASSERT_EQ(m.size(), header + static_cast<size_t>(t.nbytes()));
      },
      "idx");
}

TEST(Mutations, MnistLabelFiles) {
  const std::string dir = fs::path(scratch("mnist") + "_dir").string();
  fs::create_directories(dir);
  at::manual_seed(6);
  for (const std::string split : {"train", "t10k"}) {
    data::write_idx(dir + "/" + split + "-images-idx3-ubyte",
                    (at::rand({20, 4, 4}) * 255).to(at::kByte));
    data::write_idx(dir + "/" + split + "-labels-idx1-ubyte",
                    at::arange(20, at::kLong).remainder(10).to(at::kByte));
  }
  const std::string labels = dir + "/train-labels-idx1-ubyte";
  const std::string good = io::read_file(labels, "idx");
  expect_clean(
      mutants(good, 4, 200),
      [&](const std::string& m) {
        write_bytes(labels, m);
        const data::MnistSplit s = data::load_mnist_split(dir, true);
        ASSERT_GE(s.labels.min().item<int64_t>(), 0);
        ASSERT_LT(s.labels.max().item<int64_t>(), data::kMnistClasses);
      },
      "mnist labels");
}

TEST(Mutations, CifarFiles) {
  at::manual_seed(8);
  for (const auto format : {data::CifarFormat::kCifar10, data::CifarFormat::kCifar100}) {
    const bool hundred = format == data::CifarFormat::kCifar100;
    const std::string path = scratch(hundred ? "train.bin" : "data_batch_1.bin");
    const at::Tensor images = (at::rand({3, 3, 32, 32}) * 255).to(at::kByte);
    data::write_cifar_file(path, format, images, at::tensor({1, 2, 3}, at::kLong),
                           hundred ? at::tensor({0, 5, 19}, at::kLong) : at::Tensor());
    const std::string good = io::read_file(path, "cifar");
    const int64_t record = data::cifar_record_bytes(format);
    const int64_t classes = hundred ? 100 : 10;
    expect_clean(
        mutants(good, hundred ? 10 : 9, 200),
        [&](const std::string& m) {
          write_bytes(path, m);
          const data::CifarRecords r = data::read_cifar_file(path, format);
          // Accepted only when the records are whole and every label in range.
          ASSERT_EQ(static_cast<int64_t>(m.size()), r.labels.size(0) * record);
          ASSERT_GE(r.labels.min().item<int64_t>(), 0);
          ASSERT_LT(r.labels.max().item<int64_t>(), classes);
        },
        hundred ? "cifar-100" : "cifar-10");
  }
}

} // namespace
} // namespace engram
