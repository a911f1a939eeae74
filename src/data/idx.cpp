#include <engram/data/idx.h>

#include <engram/io/atomic_file.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <sys/stat.h>
#include <zlib.h>

namespace engram::data {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Reads the whole file, gunzipping ".gz" (gzread also passes plain files through unchanged).
std::string read_all(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  TORCH_CHECK(file != nullptr, "read_idx: cannot open '", path, "'");
  std::string bytes;
  std::array<char, 1 << 16> chunk{};
  int n = 0;
  while ((n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    bytes.append(chunk.data(), static_cast<std::size_t>(n));
  }
  int err = 0;
  const char* msg = gzerror(file, &err);
  const std::string error = (n < 0 && msg != nullptr) ? msg : "";
  gzclose(file);
  TORCH_CHECK(n >= 0, "read_idx: '", path, "' is corrupt: ", error);
  return bytes;
}

uint32_t read_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct IdxType {
  unsigned char code;
  at::ScalarType scalar;
  int64_t size;
};

constexpr std::array<IdxType, 6> kTypes{{{0x08, at::kByte, 1},
                                         {0x09, at::kChar, 1},
                                         {0x0B, at::kShort, 2},
                                         {0x0C, at::kInt, 4},
                                         {0x0D, at::kFloat, 4},
                                         {0x0E, at::kDouble, 8}}};

} // namespace

at::Tensor read_idx(const std::string& path) {
  std::string actual = path;
  if (!file_exists(actual) && !ends_with(actual, ".gz") && file_exists(actual + ".gz")) {
    actual += ".gz";
  }
  TORCH_CHECK(file_exists(actual), "read_idx: no such file '", path, "' (nor '", path, ".gz')");
  const std::string bytes = read_all(actual);
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  TORCH_CHECK(bytes.size() >= 4, "read_idx: '", actual, "' has ", bytes.size(),
              " bytes, expected at least a 4-byte header");
  TORCH_CHECK(data[0] == 0 && data[1] == 0, "read_idx: '", actual,
              "' is not an IDX file (magic bytes 0 0 expected, got ", int{data[0]}, " ",
              int{data[1]}, ")");
  const IdxType* type = nullptr;
  for (const auto& t : kTypes) {
    if (t.code == data[2]) {
      type = &t;
    }
  }
  TORCH_CHECK(type != nullptr, "read_idx: '", actual, "' has unknown element type code ",
              int{data[2]});
  const int64_t rank = data[3];
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
  TORCH_CHECK(bytes.size() >= header, "read_idx: '", actual, "' is truncated in its header");
  std::vector<int64_t> shape;
  int64_t count = 1, payload = 0;
  for (int64_t d = 0; d < rank; ++d) {
    shape.push_back(read_be32(data + 4 + 4 * d));
    // Dimension sizes whose product overflows are refused before any arithmetic wraps.
    TORCH_CHECK(!__builtin_mul_overflow(count, shape.back(), &count), "read_idx: '", actual,
                "' declares dimension sizes ", at::IntArrayRef(shape), " whose product overflows");
  }
  TORCH_CHECK(!__builtin_mul_overflow(count, type->size, &payload) &&
                  payload <= std::numeric_limits<int64_t>::max() - static_cast<int64_t>(header),
              "read_idx: '", actual, "' declares dimension sizes ", at::IntArrayRef(shape),
              " too large for any file");
  const auto expected = header + static_cast<std::size_t>(payload);
  TORCH_CHECK(bytes.size() == expected, "read_idx: '", actual, "' has ", bytes.size(),
              " bytes, expected ", expected, " for shape ", at::IntArrayRef(shape));
  auto out = at::empty(shape, at::TensorOptions().dtype(type->scalar));
  auto* dst = static_cast<unsigned char*>(out.data_ptr());
  const unsigned char* src = data + header;
  if (type->size == 1) {
    std::copy(src, src + count, dst);
  } else {
    // IDX stores multi-byte elements big-endian.
    for (int64_t i = 0; i < count; ++i) {
      for (int64_t b = 0; b < type->size; ++b) {
        dst[i * type->size + b] = src[i * type->size + (type->size - 1 - b)];
      }
    }
  }
  return out;
}

namespace {

// `bytes` as a gzip stream (RFC 1952), compressed in memory.
std::string gzip(const std::string& bytes, const std::string& path) {
  z_stream zs{};
  TORCH_CHECK(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, /*gzip*/ 15 + 16, 8,
                           Z_DEFAULT_STRATEGY) == Z_OK,
              "write_idx: cannot compress '", path, "' (zlib: out of memory)");
  std::string out;
  std::array<char, 1 << 16> chunk{};
  size_t offset = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    // zlib counts in 32 bits: feed the input in pieces of at most 1 GiB.
    if (zs.avail_in == 0 && offset < bytes.size()) {
      const size_t n = std::min<size_t>(bytes.size() - offset, size_t{1} << 30);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + offset));
      zs.avail_in = static_cast<uInt>(n);
      offset += n;
    }
    zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = deflate(&zs, offset == bytes.size() ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      deflateEnd(&zs);
      TORCH_CHECK(false, "write_idx: cannot compress '", path, "' (zlib error ", rc, ")");
    }
    out.append(chunk.data(), chunk.size() - zs.avail_out);
  }
  deflateEnd(&zs);
  return out;
}

} // namespace

void write_idx(const std::string& path, const at::Tensor& tensor) {
  const IdxType* type = nullptr;
  for (const auto& t : kTypes) {
    if (t.scalar == tensor.scalar_type()) {
      type = &t;
    }
  }
  TORCH_CHECK(type != nullptr, "write_idx: tensor dtype ", tensor.scalar_type(),
              " has no IDX type (expected uint8, int8, int16, int32, float32 or float64)");
  TORCH_CHECK(tensor.dim() <= 255, "write_idx: rank ", tensor.dim(), " exceeds 255");
  const auto t = tensor.contiguous().cpu();
  std::string bytes{'\0', '\0', static_cast<char>(type->code), static_cast<char>(t.dim())};
  for (const auto size : t.sizes()) {
    const auto s = static_cast<uint32_t>(size);
    for (int shift = 24; shift >= 0; shift -= 8) {
      bytes.push_back(static_cast<char>((s >> shift) & 0xFF));
    }
  }
  const auto* src = static_cast<const char*>(t.data_ptr());
  for (int64_t i = 0; i < t.numel(); ++i) {
    for (int64_t b = type->size - 1; b >= 0; --b) {
      bytes.push_back(src[i * type->size + b]);
    }
  }
  // Compressed in memory, so that a ".gz" file takes the same durable path (and the same test
  // hooks) as a plain one.
  io::write_file_atomically(path, ends_with(path, ".gz") ? gzip(bytes, path) : bytes);
}

MnistSplit load_mnist_split(const std::string& dir, bool train) {
  const std::string prefix = dir + "/" + (train ? "train" : "t10k");
  const auto images = read_idx(prefix + "-images-idx3-ubyte");
  const auto labels = read_idx(prefix + "-labels-idx1-ubyte");
  TORCH_CHECK(images.dim() == 3 && images.scalar_type() == at::kByte, "load_mnist_split: '", prefix,
              "-images-idx3-ubyte' must be uint8 [N, rows, cols], got ", images.scalar_type(), " ",
              images.sizes());
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == images.size(0), "load_mnist_split: '", prefix,
              "-labels-idx1-ubyte' must have shape [", images.size(0), "], got ", labels.sizes());
  TORCH_CHECK(!at::isFloatingType(labels.scalar_type()), "load_mnist_split: '", prefix,
              "-labels-idx1-ubyte' holds ", labels.scalar_type(),
              " elements; labels must be integers");
  const at::Tensor long_labels = labels.to(at::kLong);
  const at::Tensor bad = (long_labels < 0).logical_or_(long_labels >= kMnistClasses).nonzero();
  if (bad.numel() > 0) {
    const int64_t index = bad[0][0].item<int64_t>();
    TORCH_CHECK(false, "load_mnist_split: '", prefix, "-labels-idx1-ubyte' label ", index, " is ",
                long_labels[index].item<int64_t>(), ", expected a class in [0, ", kMnistClasses - 1,
                "]");
  }
  MnistSplit split;
  split.rows = images.size(1);
  split.cols = images.size(2);
  split.images = images.reshape({images.size(0), -1}).to(at::kFloat).div_(255.0);
  split.labels = long_labels;
  return split;
}

} // namespace engram::data
