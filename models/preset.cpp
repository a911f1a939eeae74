#include "preset.h"

#include "layer_registry.h"

#include <engram/cl/strategy_registry.h>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace engram::models {

namespace {

using nlohmann::json;

std::string type_name(const json& j) {
  if (j.is_number_integer() || j.is_number_unsigned())
    return "integer";
  if (j.is_number_float())
    return "number";
  return j.type_name();
}

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& what) {
  TORCH_CHECK(false, "preset ", source, ": ", path, ": ", what);
}

void expect(const std::string& source, const std::string& path, const json& j, ParamKind kind) {
  bool ok = false;
  switch (kind) {
  case ParamKind::kInteger:
    ok = j.is_number_integer() || j.is_number_unsigned();
    break;
  case ParamKind::kNumber:
    ok = j.is_number();
    break;
  case ParamKind::kBool:
    ok = j.is_boolean();
    break;
  case ParamKind::kString:
    ok = j.is_string();
    break;
  }
  if (!ok)
    fail(source, path, std::string("expected ") + to_string(kind) + ", got " + type_name(j));
}

void expect_object(const std::string& source, const std::string& path, const json& j) {
  if (!j.is_object())
    fail(source, path, "expected object, got " + type_name(j));
}

void check_keys(const std::string& source, const std::string& path, const json& j,
                const std::set<std::string>& allowed) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      fail(source, path + "." + it.key(), "unknown key (expected one of: " + list + ")");
    }
  }
}

} // namespace

Preset parse_preset(const std::string& text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    TORCH_CHECK(false, "preset ", source, ": not valid JSON: ", e.what());
  }
  expect_object(source, "$", root);
  check_keys(source, "$", root, {"name", "description", "layers", "training", "strategies"});
  Preset p;
  p.source = source;
  if (!root.contains("name"))
    fail(source, "$.name", "missing (expected string)");
  expect(source, "$.name", root["name"], ParamKind::kString);
  p.name = root["name"].get<std::string>();
  if (root.contains("description")) {
    expect(source, "$.description", root["description"], ParamKind::kString);
    p.description = root["description"].get<std::string>();
  }
  if (!root.contains("layers"))
    fail(source, "$.layers", "missing (expected array of layer objects)");
  const json& layers = root["layers"];
  if (!layers.is_array())
    fail(source, "$.layers", "expected array, got " + type_name(layers));
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string path = "$.layers[" + std::to_string(i) + "]";
    const json& l = layers[i];
    expect_object(source, path, l);
    if (!l.contains("type"))
      fail(source, path + ".type", "missing (expected string)");
    expect(source, path + ".type", l["type"], ParamKind::kString);
    LayerSpec spec;
    spec.type = l["type"].get<std::string>();
    spec.path = path;
    const LayerType* type = find_layer_type(spec.type);
    if (type == nullptr) {
      std::string names;
      for (const auto& n : layer_type_names())
        names += (names.empty() ? "" : ", ") + n;
      fail(source, path + ".type", "unknown layer type '" + spec.type + "' (known: " + names + ")");
    }
    std::set<std::string> allowed{"type"};
    for (const auto& kv : type->params)
      allowed.insert(kv.first);
    check_keys(source, path, l, allowed);
    for (const auto& kv : type->params) {
      if (!l.contains(kv.first))
        continue;
      const json& v = l[kv.first];
      expect(source, path + "." + kv.first, v, kv.second);
      if (kv.second == ParamKind::kBool)
        spec.flags[kv.first] = v.get<bool>();
      else if (kv.second == ParamKind::kString)
        spec.strings[kv.first] = v.get<std::string>();
      else
        spec.numbers[kv.first] = v.get<double>();
    }
    for (const auto& r : type->required) {
      if (!l.contains(r))
        fail(source, path + "." + r,
             std::string("missing (expected ") + to_string(type->params.at(r)) + ")");
    }
    p.layers.push_back(std::move(spec));
  }
  if (root.contains("training")) {
    const json& t = root["training"];
    expect_object(source, "$.training", t);
    check_keys(source, "$.training", t,
               {"optimizer", "lr", "batch_size", "iterations", "quick_iterations"});
    if (t.contains("optimizer")) {
      expect(source, "$.training.optimizer", t["optimizer"], ParamKind::kString);
      p.training.optimizer = t["optimizer"].get<std::string>();
      if (p.training.optimizer != "adam" && p.training.optimizer != "sgd")
        fail(source, "$.training.optimizer",
             "expected \"adam\" or \"sgd\", got \"" + p.training.optimizer + "\"");
    }
    if (t.contains("lr")) {
      expect(source, "$.training.lr", t["lr"], ParamKind::kNumber);
      p.training.lr = t["lr"].get<double>();
      if (!(p.training.lr > 0))
        fail(source, "$.training.lr", "expected a positive number");
    }
    auto positive_int = [&](const char* key, int64_t& out) {
      if (!t.contains(key))
        return;
      const std::string path = std::string("$.training.") + key;
      expect(source, path, t[key], ParamKind::kInteger);
      out = t[key].get<int64_t>();
      if (out <= 0)
        fail(source, path, "expected a positive integer, got " + std::to_string(out));
    };
    positive_int("batch_size", p.training.batch_size);
    positive_int("iterations", p.training.iterations);
    positive_int("quick_iterations", p.training.quick_iterations);
  }
  if (root.contains("strategies")) {
    const json& s = root["strategies"];
    expect_object(source, "$.strategies", s);
    for (auto it = s.begin(); it != s.end(); ++it) {
      const std::string path = "$.strategies." + it.key();
      const auto* defaults = cl::find_strategy_defaults(it.key());
      if (defaults == nullptr) {
        std::string names;
        for (const auto& n : cl::strategy_names())
          names += (names.empty() ? "" : ", ") + n;
        fail(source, path, "unknown strategy (expected one of: " + names + ")");
      }
      expect_object(source, path, it.value());
      std::set<std::string> allowed;
      for (const auto& kv : *defaults)
        allowed.insert(kv.first);
      check_keys(source, path, it.value(), allowed);
      auto& hp = p.strategies[it.key()];
      for (auto h = it.value().begin(); h != it.value().end(); ++h) {
        expect(source, path + "." + h.key(), h.value(), ParamKind::kNumber);
        hp[h.key()] = h.value().get<double>();
      }
    }
  }
  return p;
}

Preset load_preset(const std::string& path) {
  std::ifstream in(path);
  TORCH_CHECK(in.good(), "load_preset: cannot open preset file '", path, "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_preset(buffer.str(), path);
}

} // namespace engram::models
