#include <engram/io/archive.h>

#include <engram/io/atomic_file.h>
#include <engram/io/crc32.h>
#include <engram/io/detail/archive_bounds.h>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <array>
#include <sstream>

namespace engram::io {

void write_int(torch::serialize::OutputArchive& a, const std::string& key, int64_t value) {
  a.write(key, c10::IValue(value));
}

int64_t read_int(torch::serialize::InputArchive& a, const std::string& key) {
  c10::IValue v;
  a.read(key, v);
  TORCH_CHECK(v.isInt(), "checkpoint: key '", key, "' expected an integer");
  return v.toInt();
}

void write_string(torch::serialize::OutputArchive& a, const std::string& key,
                  const std::string& value) {
  a.write(key, c10::IValue(value));
}

std::string read_string(torch::serialize::InputArchive& a, const std::string& key) {
  c10::IValue v;
  a.read(key, v);
  TORCH_CHECK(v.isString(), "checkpoint: key '", key, "' expected a string");
  return v.toStringRef();
}

void write_tensor(torch::serialize::OutputArchive& a, const std::string& key, const at::Tensor& t) {
  a.write(key, t.detach());
}

at::Tensor read_tensor(torch::serialize::InputArchive& a, const std::string& key) {
  at::Tensor t;
  a.read(key, t);
  return t;
}

void write_tensors(torch::serialize::OutputArchive& a, const std::string& key,
                   const std::vector<at::Tensor>& tensors) {
  write_int(a, key + ".size", static_cast<int64_t>(tensors.size()));
  for (size_t i = 0; i < tensors.size(); ++i)
    write_tensor(a, key + "." + std::to_string(i), tensors[i]);
}

std::vector<at::Tensor> read_tensors(torch::serialize::InputArchive& a, const std::string& key) {
  const int64_t n = read_int(a, key + ".size");
  std::vector<at::Tensor> out;
  for (int64_t i = 0; i < n; ++i)
    out.push_back(read_tensor(a, key + "." + std::to_string(i)));
  return out;
}

namespace {
constexpr char kMagic[8] = {'E', 'N', 'G', 'R', 'A', 'M', 'C', 'K'};
constexpr size_t kTrailerSize = 24;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

} // namespace

std::string first_line(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = c10_error != nullptr ? c10_error->what_without_backtrace() : e.what();
  const auto nl = text.find('\n');
  if (nl != std::string::npos)
    text.resize(nl);
  return text;
}

void save_archive(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::ostringstream bytes;
  archive.save_to(bytes); // into memory: a full disk cannot throw from LibTorch's writer
  std::string file = std::move(bytes).str();
  const uint64_t size = file.size();
  const uint32_t crc = crc32(file.data(), file.size());
  file.append(kMagic, sizeof(kMagic));
  put_le(file, size, 8);
  put_le(file, crc, 4);
  put_le(file, kCheckpointFormatVersion, 4);
  write_file_atomically(path, file);
}

void load_archive_payload(torch::serialize::InputArchive& archive, const std::string& payload,
                          const std::string& path, std::optional<c10::Device> device) {
  try {
    detail::check_archive_bounds(payload); // before LibTorch allocates what the records claim
    archive.load_from(payload.data(), payload.size(), device);
  } catch (const std::exception& e) {
    TORCH_CHECK(false, "checkpoint '", path, "' is corrupt: ", first_line(e));
  }
}

void load_archive(torch::serialize::InputArchive& archive, const std::string& path,
                  std::optional<c10::Device> device) {
  std::string file = read_file(path, "checkpoint");
  TORCH_CHECK(
      file.size() >= kTrailerSize &&
          file.compare(file.size() - kTrailerSize, sizeof(kMagic), kMagic, sizeof(kMagic)) == 0,
      "checkpoint '", path,
      "' is corrupt or not an engram checkpoint (no checksum trailer; files written "
      "before checkpoints carried one cannot be resumed)");
  const size_t at = file.size() - kTrailerSize + sizeof(kMagic);
  const uint64_t size = detail::read_le(file, at, 8);
  const auto crc = static_cast<uint32_t>(detail::read_le(file, at + 8, 4));
  const auto version = static_cast<uint32_t>(detail::read_le(file, at + 12, 4));
  TORCH_CHECK(version == kCheckpointFormatVersion, "checkpoint '", path,
              "' has trailer format version ", version, "; this build reads version ",
              kCheckpointFormatVersion);
  TORCH_CHECK(size == file.size() - kTrailerSize, "checkpoint '", path,
              "' is corrupt (truncated or extended: its trailer records ", size,
              " payload bytes, the file holds ", file.size() - kTrailerSize, ")");
  file.resize(static_cast<size_t>(size));
  TORCH_CHECK(crc32(file.data(), file.size()) == crc, "checkpoint '", path,
              "' is corrupt (checksum mismatch)");
  load_archive_payload(archive, file, path, device);
}

} // namespace engram::io
