#pragma once
// The fuzz targets' entry points, shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp, built
// with `make fuzz`) and by the regression test that replays the committed corpus in `make test`
// (tests/reliability/test_fuzz_corpus.cpp). Each feeds arbitrary bytes to one parser: a clean
// c10::Error is an accepted outcome; a crash, a sanitizer report, a hang or any other exception is
// a finding.

#include <engram/data/cifar.h>
#include <engram/data/idx.h>
#include <engram/io/archive.h>
#include <engram/models/preset.h>
#include <engram/train/results_schema.h>

#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace engram::fuzz {

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// read_idx takes a path: the bytes go to a per-process scratch file first.
inline void idx_file(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/engram_fuzz_idx_" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    return;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    (void)data::read_idx(path);
  } catch (const c10::Error&) {
  }
}

// read_cifar_file takes a path too; the first byte picks the format, the rest is the file.
inline void cifar_file(const uint8_t* data, size_t size) {
  if (size == 0)
    return;
  static const std::string path = "/tmp/engram_fuzz_cifar_" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    return;
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  try {
    (void)data::read_cifar_file(path, (data[0] & 1) != 0 ? data::CifarFormat::kCifar100
                                                         : data::CifarFormat::kCifar10);
  } catch (const c10::Error&) {
  }
}

inline void preset_json(const uint8_t* data, size_t size) {
  try {
    (void)models::parse_preset(as_string(data, size), "fuzz.json");
  } catch (const c10::Error&) {
  }
}

inline void results_json(const uint8_t* data, size_t size) {
  try {
    train::validate_results_document(as_string(data, size), "fuzz.json");
  } catch (const c10::Error&) {
  }
}

// Below the checksum: the payload parser and the generic reads a resume performs.
inline void checkpoint_payload(const uint8_t* data, size_t size) {
  try {
    torch::serialize::InputArchive a;
    io::load_archive_payload(a, as_string(data, size), "fuzz.ckpt");
    for (const auto& key : a.keys()) {
      c10::IValue v;
      if (a.try_read(key, v))
        (void)v.isTensor();
    }
  } catch (const c10::Error&) {
  }
}

} // namespace engram::fuzz
