#include <engram/data/benchmark.h>
#include <engram/data/cifar.h>
#include <engram/data/stream.h>

#include "support/cifar_files.h"
#include "support/error_message.h"
#include "support/scratch_dir.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace engram::data;
using engram::testing::make_cifar_images;

namespace {

fs::path temp_dir(const std::string& name) {
  return engram::testing::scratch_dir("cifar_" + name);
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Sets an environment variable for the scope of a test.
struct ScopedEnv {
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

} // namespace

TEST(Cifar, Cifar10FileRoundTrips) {
  const auto dir = temp_dir("rt10");
  const auto images = make_cifar_images(10, 3, 7);
  const auto path = (dir / "batch.bin").string();
  write_cifar_file(path, CifarFormat::kCifar10, images.images, images.labels);
  EXPECT_EQ(fs::file_size(path), 30u * 3073u);
  const CifarRecords back = read_cifar_file(path, CifarFormat::kCifar10);
  EXPECT_TRUE(at::equal(back.images, images.images));
  EXPECT_TRUE(at::equal(back.labels, images.labels));
  EXPECT_FALSE(back.coarse_labels.defined());
}

TEST(Cifar, RecordLayoutIsLabelThenRedGreenBluePlanes) {
  const auto dir = temp_dir("layout");
  std::string record(3073, '\0');
  record[0] = 7;
  record[1] = 11;               // red, row 0, column 0
  record[1 + 1024 + 33] = 22;   // green, row 1, column 1
  record[1 + 2048 + 1023] = 33; // blue, row 31, column 31
  write_bytes(dir / "one.bin", record);
  const CifarRecords r = read_cifar_file((dir / "one.bin").string(), CifarFormat::kCifar10);
  EXPECT_EQ(r.labels[0].item<int64_t>(), 7);
  EXPECT_EQ(r.images[0][0][0][0].item<int64_t>(), 11);
  EXPECT_EQ(r.images[0][1][1][1].item<int64_t>(), 22);
  EXPECT_EQ(r.images[0][2][31][31].item<int64_t>(), 33);
}

TEST(Cifar, Cifar100FileRoundTripsCoarseAndFineLabels) {
  const auto dir = temp_dir("rt100");
  const auto images = make_cifar_images(100, 1, 3);
  const auto path = (dir / "train.bin").string();
  write_cifar_file(path, CifarFormat::kCifar100, images.images, images.labels, images.coarse);
  EXPECT_EQ(fs::file_size(path), 100u * 3074u);
  const CifarRecords back = read_cifar_file(path, CifarFormat::kCifar100);
  EXPECT_TRUE(at::equal(back.images, images.images));
  EXPECT_TRUE(at::equal(back.labels, images.labels));
  EXPECT_TRUE(at::equal(back.coarse_labels, images.coarse));
  // The coarse byte comes first.
  const std::string bytes = read_bytes(path);
  EXPECT_EQ(static_cast<int64_t>(static_cast<unsigned char>(bytes[0])),
            images.coarse[0].item<int64_t>());
  EXPECT_EQ(static_cast<int64_t>(static_cast<unsigned char>(bytes[1])),
            images.labels[0].item<int64_t>());
}

TEST(Cifar, TruncatedFileIsRefusedNamingTheFile) {
  const auto dir = temp_dir("truncated");
  const auto images = make_cifar_images(10, 1, 1);
  const auto path = (dir / "data_batch_1.bin").string();
  write_cifar_file(path, CifarFormat::kCifar10, images.images, images.labels);
  const std::string bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 100));
  EXPECT_ERROR_MENTIONS(read_cifar_file(path, CifarFormat::kCifar10), path);
  EXPECT_ERROR_MENTIONS(read_cifar_file(path, CifarFormat::kCifar10),
                        "not a whole number of 3073-byte CIFAR-10 records");
}

TEST(Cifar, WrongRecordSizeIsRefused) {
  const auto dir = temp_dir("wrong_size");
  // Five CIFAR-10 records are not a whole number of CIFAR-100 records.
  const auto images = make_cifar_images(5, 1, 1);
  const auto path = (dir / "train.bin").string();
  write_cifar_file(path, CifarFormat::kCifar10, images.images, images.labels);
  EXPECT_ERROR_MENTIONS(read_cifar_file(path, CifarFormat::kCifar100), path);
  EXPECT_ERROR_MENTIONS(read_cifar_file(path, CifarFormat::kCifar100), "3074-byte CIFAR-100");
  write_bytes(dir / "empty.bin", "");
  EXPECT_ERROR_MENTIONS(read_cifar_file((dir / "empty.bin").string(), CifarFormat::kCifar10),
                        "empty.bin' is empty");
  EXPECT_ERROR_MENTIONS(read_cifar_file((dir / "missing.bin").string(), CifarFormat::kCifar10),
                        "no such file");
}

TEST(Cifar, OutOfRangeLabelsAreRefusedNamingFileRecordAndValue) {
  const auto dir = temp_dir("labels");
  std::string two(2 * 3073, '\0');
  two[3073] = 10; // record 1
  write_bytes(dir / "c10.bin", two);
  const auto c10 = (dir / "c10.bin").string();
  EXPECT_ERROR_MENTIONS(read_cifar_file(c10, CifarFormat::kCifar10),
                        c10 + "' record 1 has label 10, expected 0..9");

  std::string fine(3074, '\0');
  fine[1] = 100;
  write_bytes(dir / "fine.bin", fine);
  const auto f = (dir / "fine.bin").string();
  EXPECT_ERROR_MENTIONS(read_cifar_file(f, CifarFormat::kCifar100),
                        f + "' record 0 has fine label 100, expected 0..99");

  std::string coarse(3074, '\0');
  coarse[0] = 20;
  write_bytes(dir / "coarse.bin", coarse);
  const auto c = (dir / "coarse.bin").string();
  EXPECT_ERROR_MENTIONS(read_cifar_file(c, CifarFormat::kCifar100),
                        c + "' record 0 has coarse label 20, expected 0..19");
}

TEST(Cifar, MissingFilesNameTheExpectedFilesAndTheVariable) {
  const auto dir = temp_dir("missing");
  ::unsetenv("ENGRAM_CIFAR10_DIR");
  ::unsetenv("ENGRAM_CIFAR100_DIR");
  EXPECT_ERROR_MENTIONS(find_cifar_dir(CifarFormat::kCifar10, dir.string()), "data_batch_1.bin");
  EXPECT_ERROR_MENTIONS(find_cifar_dir(CifarFormat::kCifar10, dir.string()), "test_batch.bin");
  EXPECT_ERROR_MENTIONS(find_cifar_dir(CifarFormat::kCifar10, dir.string()), "$ENGRAM_CIFAR10_DIR");
  EXPECT_ERROR_MENTIONS(find_cifar_dir(CifarFormat::kCifar100, ""), "$ENGRAM_CIFAR100_DIR");
  EXPECT_ERROR_MENTIONS(find_cifar_dir(CifarFormat::kCifar100, ""), "nothing is downloaded");
  EXPECT_ERROR_MENTIONS(find_cifar_dir(CifarFormat::kCifar100, dir.string()), "train.bin");
  // One file of the six missing is still missing.
  engram::testing::write_cifar10_dir(dir.string(), 2, 1);
  fs::remove(dir / "data_batch_4.bin");
  EXPECT_ERROR_MENTIONS(load_cifar_dataset(CifarFormat::kCifar10, dir.string()),
                        "CIFAR-10 not found in");
}

TEST(Cifar, FindsTheDirectoryItsParentOrTheVariable) {
  const auto root = temp_dir("find");
  const auto dir = root / "cifar-10-batches-bin";
  engram::testing::write_cifar10_dir(dir.string(), 2, 1);
  EXPECT_EQ(find_cifar_dir(CifarFormat::kCifar10, dir.string()), dir.string());
  EXPECT_EQ(find_cifar_dir(CifarFormat::kCifar10, root.string()), dir.string());
  ScopedEnv env("ENGRAM_CIFAR10_DIR", root.string());
  EXPECT_EQ(find_cifar_dir(CifarFormat::kCifar10, ""), dir.string());
}

TEST(Cifar, DatasetIsNormalisedPerChannel) {
  const auto dir = temp_dir("dataset");
  engram::testing::write_cifar10_dir(dir.string(), 4, 2);
  const Dataset d = load_cifar_dataset(CifarFormat::kCifar10, dir.string());
  EXPECT_EQ(d.channels, 3);
  EXPECT_EQ(d.rows, 32);
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.input_shape(), (std::vector<int64_t>{3, 32, 32}));
  ASSERT_EQ(d.train_images.sizes(), (std::vector<int64_t>{40, 3072}));
  EXPECT_EQ(d.test_images.size(0), 20);
  const CifarRecords first =
      read_cifar_file((dir / "data_batch_1.bin").string(), CifarFormat::kCifar10);
  for (int64_t c = 0; c < 3; ++c) {
    const double raw = first.images[0][c][5][9].item<double>();
    const double expected = (raw / 255.0 - kCifar10Mean[c]) / kCifar10Std[c];
    EXPECT_NEAR(d.train_images[0][c * 1024 + 5 * 32 + 9].item<double>(), expected, 1e-5);
  }
  const auto black = d.black_level();
  EXPECT_NEAR(black[1], -kCifar10Mean[1] / kCifar10Std[1], 1e-12);
}

TEST(Cifar, SplitCifar10IsFiveTasksOfTwoClassesInEveryScenario) {
  const auto dir = temp_dir("split10");
  engram::testing::write_cifar10_dir(dir.string(), 4, 2);
  const auto bench = parse_benchmark("split-cifar10");
  const Dataset d = load_benchmark_dataset(bench, dir.string());
  for (const auto scenario : {Scenario::kTask, Scenario::kDomain, Scenario::kClass}) {
    const Stream s = make_benchmark_stream(bench, d, scenario, 0, 0);
    EXPECT_EQ(s.num_tasks(), 5);
    EXPECT_EQ(s.input_shape(), (std::vector<int64_t>{3, 32, 32}));
    EXPECT_EQ(s.num_outputs(), scenario == Scenario::kDomain ? 2 : 10);
    for (const auto& t : s.tasks()) {
      EXPECT_EQ(t.train.size(), 8); // 2 classes x 4 images
      EXPECT_EQ(t.test.size(), 4);
      EXPECT_EQ(t.units.size(), 2u);
    }
    EXPECT_EQ(s.task(2).description, "classes 4,5");
  }
}

TEST(Cifar, SplitCifar100IsTenTasksByDefaultAndTwentyOnRequest) {
  const auto dir = temp_dir("split100");
  engram::testing::write_cifar100_dir(dir.string(), 1, 1);
  const auto bench = parse_benchmark("split-cifar100");
  const Dataset d = load_benchmark_dataset(bench, dir.string());
  EXPECT_EQ(d.num_classes, 100);
  EXPECT_NEAR(d.black_level()[0], -kCifar100Mean[0] / kCifar100Std[0], 1e-12);
  for (const auto scenario : {Scenario::kTask, Scenario::kDomain, Scenario::kClass}) {
    const Stream ten = make_benchmark_stream(bench, d, scenario, 0, 0);
    EXPECT_EQ(ten.num_tasks(), 10);
    EXPECT_EQ(ten.task(0).units.size(), 10u);
    EXPECT_EQ(ten.num_outputs(), scenario == Scenario::kDomain ? 10 : 100);
    const Stream twenty = make_benchmark_stream(bench, d, scenario, 20, 0);
    EXPECT_EQ(twenty.num_tasks(), 20);
    EXPECT_EQ(twenty.task(19).units.size(), 5u);
    EXPECT_EQ(twenty.task(19).train.size(), 5);
  }
}

TEST(Cifar, BenchmarkNamesAndMnistFormatInputShape) {
  EXPECT_EQ(parse_benchmark("split-cifar100").dataset, "cifar100");
  EXPECT_ERROR_MENTIONS(parse_benchmark("split-cifar1000"), "cifar10|cifar100");
  // MNIST-format streams carry their image shape, so convolutional presets run on them.
  const auto bench = parse_benchmark("split-synthetic");
  const Dataset d = load_benchmark_dataset(bench);
  const Stream s = make_benchmark_stream(bench, d, Scenario::kClass, 0, 0);
  EXPECT_EQ(s.input_shape(), (std::vector<int64_t>{1, 8, 8}));
  const Stream p =
      make_benchmark_stream(parse_benchmark("permuted-synthetic"), d, Scenario::kDomain, 2, 0);
  EXPECT_EQ(p.input_shape(), (std::vector<int64_t>{1, 8, 8}));
}

TEST(Cifar, RotatedStreamRotatesEveryChannelAlike) {
  const auto dir = temp_dir("rotated");
  engram::testing::write_cifar10_dir(dir.string(), 1, 1);
  const Dataset d = load_cifar_dataset(CifarFormat::kCifar10, dir.string());
  const Stream s = make_rotated_stream(d, Scenario::kDomain, {2, 0});
  const at::Tensor map = s.task(1).test.pixel_map;
  ASSERT_EQ(map.size(0), 3072);
  const at::Tensor red = map.slice(0, 0, 1024);
  const at::Tensor black = red.eq(3072);
  EXPECT_TRUE(red.masked_select(black.logical_not()).lt(1024).all().item<bool>());
  for (int64_t c = 1; c < 3; ++c) {
    const at::Tensor plane = map.slice(0, c * 1024, (c + 1) * 1024);
    EXPECT_TRUE(at::equal(plane.eq(3072), black));
    EXPECT_TRUE(at::equal(plane.masked_select(black.logical_not()) - c * 1024,
                          red.masked_select(black.logical_not())));
  }
}
