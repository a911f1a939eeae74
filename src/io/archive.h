#pragma once
// Small helpers for torch serialize archives used by checkpoints: lists of tensors and scalars.

#include <ATen/core/Tensor.h>

#include <cstdint>
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

// Atomically saves the archive to `path` (temporary file + rename).
void save_archive(torch::serialize::OutputArchive& archive, const std::string& path);

} // namespace engram::io
