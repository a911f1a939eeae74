#include <engram/train/run_fingerprint.h>

#include <engram/models/preset.h>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace engram::train {

void RunFingerprint::add(const std::string& field, const std::string& value) {
  for (const auto& f : fields_)
    TORCH_CHECK(f.first != field, "RunFingerprint: field '", field, "' added twice");
  fields_.emplace_back(field, value);
}

void RunFingerprint::add(const std::string& field, double value) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", value);
  add(field, std::string(buf));
}

void RunFingerprint::add(const std::string& field, int64_t value) {
  add(field, std::to_string(value));
}

void RunFingerprint::add(const std::string& field, uint64_t value) {
  add(field, std::to_string(value));
}

void RunFingerprint::add(const std::string& field, bool value) {
  add(field, std::string(value ? "true" : "false"));
}

std::string RunFingerprint::serialize() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& f : fields_)
    j[f.first] = f.second;
  return j.dump();
}

RunFingerprint RunFingerprint::parse(const std::string& text, const std::string& source) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const std::exception&) {
    TORCH_CHECK(false, source, ": the run's fingerprint is not readable");
  }
  TORCH_CHECK(j.is_object(), source, ": the run's fingerprint is not a JSON object");
  RunFingerprint fp;
  for (auto it = j.begin(); it != j.end(); ++it) {
    TORCH_CHECK(it.value().is_string(), source, ": fingerprint field '", it.key(),
                "' is not a string");
    fp.fields_.emplace_back(it.key(), it.value().get<std::string>());
  }
  return fp;
}

namespace {
std::string shown(const std::string& value) {
  constexpr size_t kMax = 160;
  return value.size() <= kMax ? "'" + value + "'" : "'" + value.substr(0, kMax) + "...'";
}
} // namespace

std::string RunFingerprint::difference_from(const RunFingerprint& current) const {
  for (const auto& c : current.fields_) {
    const std::pair<std::string, std::string>* mine = nullptr;
    for (const auto& f : fields_)
      if (f.first == c.first)
        mine = &f;
    if (mine == nullptr)
      return c.first + " is not recorded in the checkpoint (this run: " + shown(c.second) + ")";
    if (mine->second != c.second)
      return c.first + " is " + shown(mine->second) + " in the checkpoint, " + shown(c.second) +
             " in this run";
  }
  for (const auto& f : fields_) {
    bool found = false;
    for (const auto& c : current.fields_)
      found = found || c.first == f.first;
    if (!found)
      return f.first + " is recorded in the checkpoint (" + shown(f.second) +
             ") but not set by this run";
  }
  return "";
}

bool is_field_fingerprint(const std::string& text) {
  return !text.empty() && text.front() == '{' && text.back() == '}';
}

std::string canonical_layers(const models::Preset& preset) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : preset.layers) {
    nlohmann::json j; // std::map-backed: keys sorted
    j["type"] = l.type;
    for (const auto& kv : l.numbers) {
      char buf[40];
      std::snprintf(buf, sizeof(buf), "%.17g", kv.second);
      j[kv.first] = std::string(buf);
    }
    for (const auto& kv : l.flags)
      j[kv.first] = kv.second;
    for (const auto& kv : l.strings)
      j[kv.first] = kv.second;
    if (!l.learning.empty()) // absent before learning rules: old checkpoints keep their text
      j["learning"] = l.learning;
    layers.push_back(j);
  }
  return layers.dump();
}

} // namespace engram::train
