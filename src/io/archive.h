#pragma once
// Small helpers for torch serialize archives used by checkpoints: lists of tensors and scalars.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace torch::serialize {
class OutputArchive;
class InputArchive;
} // namespace torch::serialize

namespace engram::io {

void write_tensors(torch::serialize::OutputArchive& archive, const std::string& key,
                   const std::vector<at::Tensor>& tensors);
std::vector<at::Tensor> read_tensors(torch::serialize::InputArchive& archive,
                                     const std::string& key);

void write_int(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value);
int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key);
void write_string(torch::serialize::OutputArchive& archive, const std::string& key,
                  const std::string& value);
std::string read_string(torch::serialize::InputArchive& archive, const std::string& key);
void write_tensor(torch::serialize::OutputArchive& archive, const std::string& key,
                  const at::Tensor& t);
at::Tensor read_tensor(torch::serialize::InputArchive& archive, const std::string& key);

// Checkpoint files: the archive's bytes (the payload), then a 24-byte trailer written last:
//   "ENGRAMCK"  magic (8 bytes)
//   size        payload size in bytes (uint64, little-endian)
//   crc32       CRC-32 of the payload (uint32, little-endian; see crc32.h)
//   version     trailer format version (uint32, little-endian; currently 1)
// The trailer is checked before the payload is parsed, so that a truncated, torn or corrupted
// file is refused with one line naming it, rather than loaded as different numbers.
constexpr uint32_t kCheckpointFormatVersion = 1;

// Serialises the archive and writes it with its trailer durably and atomically (atomic_file.h):
// a full disk is an error naming `path`, and the previous file stays intact.
void save_archive(torch::serialize::OutputArchive& archive, const std::string& path);

// Verifies `path`'s trailer and checksum, then loads the payload into `archive` (tensors mapped
// to `device`, or where they were saved). Any defect is a one-line error naming the file.
void load_archive(torch::serialize::InputArchive& archive, const std::string& path,
                  std::optional<c10::Device> device = std::nullopt);

// The payload parser alone, below the checksum (for the fuzz harness and the mutation test):
// loads `payload` as an archive; errors name `path`.
void load_archive_payload(torch::serialize::InputArchive& archive, const std::string& payload,
                          const std::string& path,
                          std::optional<c10::Device> device = std::nullopt);

// The first line of an exception's message, without LibTorch's source excerpt.
std::string first_line(const std::exception& e);

} // namespace engram::io
