#pragma once
// What determines a continual-learning run, field by field, so that `--resume` continues only the
// run its checkpoint belongs to: the benchmark and its tasks, the full content of the model preset
// (its layers, not its name), every training option and strategy hyperparameter, and the seed.
// Values are kept at full precision (17 significant digits). The device is not part of it: a
// checkpoint resumes on any device.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace engram::models {
struct Preset;
}

namespace engram::train {

class RunFingerprint {
public:
  // Fields keep the order they were added in; a field added twice is an error.
  void add(const std::string& field, const std::string& value);
  void add(const std::string& field, double value); // "%.17g"
  void add(const std::string& field, int64_t value);
  void add(const std::string& field, uint64_t value);
  void add(const std::string& field, bool value);

  // A JSON object {"field": "value", ...}, as stored in checkpoints.
  std::string serialize() const;
  // Reads serialize()'s output; malformed text is an error naming `source`.
  static RunFingerprint parse(const std::string& text, const std::string& source);

  // Empty when equal; else the first field that differs, with both values, e.g.
  // "lr is 0.001 in the checkpoint, 0.01 in this run" (`this` is the checkpoint's).
  std::string difference_from(const RunFingerprint& current) const;

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// True when `text` looks like serialize()'s output (a JSON object), as opposed to a free-form
// fingerprint that a C++ caller of run_continual set itself.
bool is_field_fingerprint(const std::string& text);

// The preset's layers as canonical JSON (type and every option, sorted by key): two presets give
// the same text exactly when they build the same network.
std::string canonical_layers(const models::Preset& preset);

} // namespace engram::train
