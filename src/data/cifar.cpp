#include <engram/data/cifar.h>

#include <engram/io/atomic_file.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace engram::data {

namespace {

const char* format_name(CifarFormat f) {
  return f == CifarFormat::kCifar10 ? "CIFAR-10" : "CIFAR-100";
}
const char* env_variable(CifarFormat f) {
  return f == CifarFormat::kCifar10 ? "ENGRAM_CIFAR10_DIR" : "ENGRAM_CIFAR100_DIR";
}
const char* subdirectory(CifarFormat f) {
  return f == CifarFormat::kCifar10 ? "cifar-10-batches-bin" : "cifar-100-binary";
}

std::string read_bytes(const std::string& path) {
  TORCH_CHECK(std::filesystem::is_regular_file(path), "read_cifar_file: no such file '", path, "'");
  std::ifstream in(path, std::ios::binary);
  TORCH_CHECK(in.good(), "read_cifar_file: cannot open '", path, "'");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool has_files(const std::filesystem::path& dir, CifarFormat f) {
  for (const auto& list : {cifar_train_files(f), cifar_test_files(f)}) {
    for (const auto& file : list) {
      if (!std::filesystem::is_regular_file(dir / file))
        return false;
    }
  }
  return true;
}

std::string expected_files(CifarFormat f) {
  std::string s;
  for (const auto& list : {cifar_train_files(f), cifar_test_files(f)}) {
    for (const auto& file : list)
      s += (s.empty() ? "" : ", ") + file;
  }
  return s;
}

// Pixels in [0, 1], normalised per channel, flat [N, 3072].
at::Tensor normalised(const at::Tensor& images, const std::array<double, 3>& mean,
                      const std::array<double, 3>& std) {
  const at::Tensor m = at::tensor(std::vector<float>(mean.begin(), mean.end())).view({1, 3, 1, 1});
  const at::Tensor s = at::tensor(std::vector<float>(std.begin(), std.end())).view({1, 3, 1, 1});
  return images.to(at::kFloat).div_(255.0).sub_(m).div_(s).reshape({images.size(0), -1});
}

} // namespace

int64_t cifar_record_bytes(CifarFormat format) {
  return (format == CifarFormat::kCifar10 ? 1 : 2) + kCifarPixels;
}

CifarRecords read_cifar_file(const std::string& path, CifarFormat format) {
  const std::string bytes = read_bytes(path);
  const int64_t record = cifar_record_bytes(format);
  const auto size = static_cast<int64_t>(bytes.size());
  TORCH_CHECK(size > 0, "read_cifar_file: '", path, "' is empty, expected ", format_name(format),
              " records of ", record, " bytes");
  TORCH_CHECK(size % record == 0, "read_cifar_file: '", path, "' has ", size,
              " bytes, not a whole number of ", record, "-byte ", format_name(format),
              " records (truncated, or another format)");
  const int64_t n = size / record;
  const int64_t label_bytes = record - kCifarPixels;
  CifarRecords r;
  r.images = at::empty({n, 3, kCifarSide, kCifarSide}, at::kByte);
  r.labels = at::empty({n}, at::kLong);
  if (format == CifarFormat::kCifar100)
    r.coarse_labels = at::empty({n}, at::kLong);
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  auto* pixels = r.images.data_ptr<uint8_t>();
  auto* labels = r.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const unsigned char* rec = src + i * record;
    if (format == CifarFormat::kCifar10) {
      TORCH_CHECK(rec[0] <= 9, "read_cifar_file: '", path, "' record ", i, " has label ",
                  int{rec[0]}, ", expected 0..9");
      labels[i] = rec[0];
    } else {
      TORCH_CHECK(rec[0] <= 19, "read_cifar_file: '", path, "' record ", i, " has coarse label ",
                  int{rec[0]}, ", expected 0..19");
      TORCH_CHECK(rec[1] <= 99, "read_cifar_file: '", path, "' record ", i, " has fine label ",
                  int{rec[1]}, ", expected 0..99");
      r.coarse_labels.data_ptr<int64_t>()[i] = rec[0];
      labels[i] = rec[1];
    }
    std::copy(rec + label_bytes, rec + record, pixels + i * kCifarPixels);
  }
  return r;
}

void write_cifar_file(const std::string& path, CifarFormat format, const at::Tensor& images,
                      const at::Tensor& labels, const at::Tensor& coarse_labels) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3 && images.size(2) == kCifarSide &&
                  images.size(3) == kCifarSide && images.scalar_type() == at::kByte,
              "write_cifar_file: argument 'images' expected uint8 [N, 3, 32, 32], got ",
              images.scalar_type(), " ", images.sizes());
  const int64_t n = images.size(0);
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == n,
              "write_cifar_file: argument 'labels' expected [", n, "], got ", labels.sizes());
  const bool hundred = format == CifarFormat::kCifar100;
  TORCH_CHECK(!hundred || (coarse_labels.defined() && coarse_labels.dim() == 1 &&
                           coarse_labels.size(0) == n),
              "write_cifar_file: argument 'coarse_labels' expected [", n, "] for CIFAR-100");
  const at::Tensor px = images.contiguous().cpu();
  const at::Tensor lab = labels.to(at::kLong).cpu().contiguous();
  const at::Tensor coarse = hundred ? coarse_labels.to(at::kLong).cpu().contiguous() : at::Tensor();
  std::string bytes;
  bytes.reserve(static_cast<size_t>(n * cifar_record_bytes(format)));
  const auto* p = px.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (hundred)
      bytes.push_back(static_cast<char>(coarse.data_ptr<int64_t>()[i]));
    bytes.push_back(static_cast<char>(lab.data_ptr<int64_t>()[i]));
    bytes.append(reinterpret_cast<const char*>(p + i * kCifarPixels),
                 static_cast<size_t>(kCifarPixels));
  }
  io::write_file_atomically(path, bytes);
}

std::vector<std::string> cifar_train_files(CifarFormat format) {
  if (format == CifarFormat::kCifar100)
    return {"train.bin"};
  return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
          "data_batch_5.bin"};
}

std::vector<std::string> cifar_test_files(CifarFormat format) {
  return {format == CifarFormat::kCifar100 ? "test.bin" : "test_batch.bin"};
}

std::string find_cifar_dir(CifarFormat format, const std::string& data_dir) {
  std::string given = data_dir;
  std::string from = "--data-dir";
  if (given.empty()) {
    const char* env = std::getenv(env_variable(format));
    TORCH_CHECK(env != nullptr && *env != '\0', format_name(format),
                " not found: pass --data-dir DIR or set $", env_variable(format),
                " to a directory holding ", subdirectory(format), "/{", expected_files(format),
                "} (the binary version; nothing is downloaded)");
    given = env;
    from = std::string("$") + env_variable(format);
  }
  const std::filesystem::path dir(given);
  if (has_files(dir, format))
    return dir.string();
  if (has_files(dir / subdirectory(format), format))
    return (dir / subdirectory(format)).string();
  TORCH_CHECK(false, format_name(format), " not found in '", given, "' (", from, "): expected ",
              expected_files(format), " there or in ", subdirectory(format), "/ below it; $",
              env_variable(format), " may point to them instead");
}

Dataset load_cifar_dataset(CifarFormat format, const std::string& data_dir) {
  const std::filesystem::path dir = find_cifar_dir(format, data_dir);
  auto read_split = [&](const std::vector<std::string>& files) {
    std::vector<at::Tensor> images, labels;
    for (const auto& f : files) {
      CifarRecords r = read_cifar_file((dir / f).string(), format);
      images.push_back(r.images);
      labels.push_back(r.labels);
    }
    return std::make_pair(at::cat(images), at::cat(labels));
  };
  const bool ten = format == CifarFormat::kCifar10;
  const auto& mean = ten ? kCifar10Mean : kCifar100Mean;
  const auto& std = ten ? kCifar10Std : kCifar100Std;
  Dataset d;
  auto train = read_split(cifar_train_files(format));
  auto test = read_split(cifar_test_files(format));
  d.train_images = normalised(train.first, mean, std);
  d.train_labels = train.second;
  d.test_images = normalised(test.first, mean, std);
  d.test_labels = test.second;
  d.channels = 3;
  d.rows = kCifarSide;
  d.cols = kCifarSide;
  d.num_classes = ten ? 10 : 100;
  d.name = ten ? "cifar10" : "cifar100";
  d.mean.assign(mean.begin(), mean.end());
  d.std.assign(std.begin(), std.end());
  return d;
}

} // namespace engram::data
