#include <engram/io/archive.h>

#include <engram/io/atomic_file.h>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

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

void save_archive(torch::serialize::OutputArchive& archive, const std::string& path) {
  write_atomically_via(path, [&](const std::string& tmp) { archive.save_to(tmp); });
}

} // namespace engram::io
