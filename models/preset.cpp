#include <engram/models/preset.h>

#include <engram/cl/strategy_registry.h>
#include <engram/core/join.h>
#include <engram/models/layer_registry.h>
#include <engram/train/learning_rule.h>

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
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
    if (!allowed.count(it.key()))
      fail(source, path + "." + it.key(), "unknown key (expected one of: " + join(allowed) + ")");
  }
}

constexpr long long kMaxLayerInteger = 2147483647;

json parse_json(const std::string& text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) { // parse errors, and numbers out of range (1e400)
    TORCH_CHECK(false, "preset ", source, ": not valid JSON: ", e.what());
  }
}

void parse_header(const std::string& source, const json& root, Preset& p) {
  if (!root.contains("name"))
    fail(source, "$.name", "missing (expected string)");
  expect(source, "$.name", root["name"], ParamKind::kString);
  p.name = root["name"].get<std::string>();
  if (root.contains("description")) {
    expect(source, "$.description", root["description"], ParamKind::kString);
    p.description = root["description"].get<std::string>();
  }
}

// A "learning" value: a registered rule (a per-layer one for a layer).
std::string parse_learning(const std::string& source, const std::string& path, const json& j,
                           bool per_layer) {
  expect(source, path, j, ParamKind::kString);
  const std::string rule = j.get<std::string>();
  const learning::LearningRuleInfo* info = learning::find_learning_rule(rule);
  if (info == nullptr)
    fail(source, path,
         "unknown learning rule '" + rule +
             "' (expected one of: " + join(learning::learning_rule_names()) + ")");
  if (per_layer && info->kind == learning::RuleKind::kModel)
    fail(source, path,
         "'" + rule + "' is a model-level rule: set it for the whole model ($.learning)");
  return rule;
}

LayerSpec parse_layer(const std::string& source, const std::string& path, const json& l) {
  expect_object(source, path, l);
  if (!l.contains("type"))
    fail(source, path + ".type", "missing (expected string)");
  expect(source, path + ".type", l["type"], ParamKind::kString);
  LayerSpec spec;
  spec.type = l["type"].get<std::string>();
  spec.path = path;
  const LayerType* type = find_layer_type(spec.type);
  if (type == nullptr)
    fail(source, path + ".type",
         "unknown layer type '" + spec.type + "' (known: " + join(layer_type_names()) + ")");
  std::set<std::string> allowed{"type"};
  for (const auto& kv : type->params)
    allowed.insert(kv.first);
  if (learning::takes_learning_rule(spec.type))
    allowed.insert("learning");
  check_keys(source, path, l, allowed);
  if (l.contains("learning"))
    spec.learning = parse_learning(source, path + ".learning", l["learning"], /*per_layer=*/true);
  for (const auto& kv : type->params) {
    if (!l.contains(kv.first))
      continue;
    const json& v = l[kv.first];
    expect(source, path + "." + kv.first, v, kv.second);
    if (kv.second == ParamKind::kBool)
      spec.flags[kv.first] = v.get<bool>();
    else if (kv.second == ParamKind::kString)
      spec.strings[kv.first] = v.get<std::string>();
    else {
      // Integer options are sizes, counts and strides: beyond 2^31 - 1 they are typing errors,
      // reported as given (never wrapped by a conversion).
      if (kv.second == ParamKind::kInteger &&
          (v.is_number_unsigned() ? v.get<uint64_t>() > static_cast<uint64_t>(kMaxLayerInteger)
                                  : std::llabs(v.get<int64_t>()) > kMaxLayerInteger))
        fail(source, path + "." + kv.first,
             "expected an integer in [-" + std::to_string(kMaxLayerInteger) + ", " +
                 std::to_string(kMaxLayerInteger) + "], got " + v.dump());
      spec.numbers[kv.first] = v.get<double>();
    }
  }
  for (const auto& r : type->required) {
    if (!l.contains(r))
      fail(source, path + "." + r,
           std::string("missing (expected ") + to_string(type->params.at(r)) + ")");
  }
  return spec;
}

std::vector<LayerSpec> parse_layers(const std::string& source, const json& root) {
  if (!root.contains("layers"))
    fail(source, "$.layers", "missing (expected array of layer objects)");
  const json& layers = root["layers"];
  if (!layers.is_array())
    fail(source, "$.layers", "expected array, got " + type_name(layers));
  std::vector<LayerSpec> specs;
  for (size_t i = 0; i < layers.size(); ++i)
    specs.push_back(parse_layer(source, "$.layers[" + std::to_string(i) + "]", layers[i]));
  return specs;
}

TrainingSpec parse_training(const std::string& source, const json& t) {
  TrainingSpec training;
  expect_object(source, "$.training", t);
  check_keys(
      source, "$.training", t,
      {"optimizer", "lr", "batch_size", "iterations", "quick_iterations", "batch_manhattan"});
  if (t.contains("batch_manhattan")) {
    expect(source, "$.training.batch_manhattan", t["batch_manhattan"], ParamKind::kBool);
    training.batch_manhattan = t["batch_manhattan"].get<bool>();
  }
  if (t.contains("optimizer")) {
    expect(source, "$.training.optimizer", t["optimizer"], ParamKind::kString);
    training.optimizer = t["optimizer"].get<std::string>();
    if (training.optimizer != "adam" && training.optimizer != "sgd")
      fail(source, "$.training.optimizer",
           "expected \"adam\" or \"sgd\", got \"" + training.optimizer + "\"");
  }
  if (t.contains("lr")) {
    expect(source, "$.training.lr", t["lr"], ParamKind::kNumber);
    training.lr = t["lr"].get<double>();
    if (!(training.lr > 0))
      fail(source, "$.training.lr", "expected a positive number");
  }
  auto positive_int = [&](const char* key, int64_t& out) {
    if (!t.contains(key))
      return;
    const std::string path = std::string("$.training.") + key;
    expect(source, path, t[key], ParamKind::kInteger);
    // Checked on the JSON value itself, so that a huge value is reported as given, not wrapped.
    const json& v = t[key];
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() <= 0) ||
        (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
      fail(source, path, "expected a positive integer, got " + v.dump());
    out = v.get<int64_t>();
  };
  positive_int("batch_size", training.batch_size);
  positive_int("iterations", training.iterations);
  positive_int("quick_iterations", training.quick_iterations);
  return training;
}

// One strategy's options, each checked by the strategy registry (kind and range).
cl::OptionOverrides parse_strategy_options(const std::string& source, const std::string& path,
                                           const cl::StrategyInfo& strategy, const json& j) {
  expect_object(source, path, j);
  const auto names = strategy.option_names();
  check_keys(source, path, j, std::set<std::string>(names.begin(), names.end()));
  cl::OptionOverrides options;
  for (auto h = j.begin(); h != j.end(); ++h) {
    const std::string option_path = path + "." + h.key();
    const cl::OptionInfo& option = *strategy.find_option(h.key());
    if (option.kind == cl::OptionKind::kChoice) { // a named variant, given by its name
      expect(source, option_path, h.value(), ParamKind::kString);
      const int64_t index = cl::find_choice(option, h.value().get<std::string>());
      if (index < 0)
        fail(source, option_path,
             "expected " + cl::option_expected_text(option) + ", got '" +
                 h.value().get<std::string>() + "'");
      options[h.key()] = static_cast<double>(index);
      continue;
    }
    expect(source, option_path, h.value(),
           option.kind == cl::OptionKind::kInteger ? ParamKind::kInteger : ParamKind::kNumber);
    const double value = h.value().get<double>();
    const std::string error = cl::option_value_error(option, value);
    if (!error.empty())
      fail(source, option_path, error);
    options[h.key()] = value;
  }
  return options;
}

std::map<std::string, cl::OptionOverrides> parse_strategies(const std::string& source,
                                                            const json& s) {
  expect_object(source, "$.strategies", s);
  std::map<std::string, cl::OptionOverrides> strategies;
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string path = "$.strategies." + it.key();
    const cl::StrategyInfo* strategy = cl::find_strategy(it.key());
    if (strategy == nullptr)
      fail(source, path, "unknown strategy (expected one of: " + join(cl::strategy_names()) + ")");
    strategies[it.key()] = parse_strategy_options(source, path, *strategy, it.value());
  }
  return strategies;
}

} // namespace

Preset parse_preset(const std::string& text, const std::string& source) {
  const json root = parse_json(text, source);
  expect_object(source, "$", root);
  check_keys(source, "$", root,
             {"name", "description", "layers", "pretrained", "training", "strategies", "learning"});
  Preset p;
  p.source = source;
  parse_header(source, root, p);
  p.layers = parse_layers(source, root);
  if (root.contains("pretrained")) {
    expect(source, "$.pretrained", root["pretrained"], ParamKind::kString);
    std::filesystem::path file = root["pretrained"].get<std::string>();
    if (file.empty())
      fail(source, "$.pretrained", "expected a file name, got an empty string");
    if (file.is_relative() && source != "<string>")
      file = std::filesystem::path(source).parent_path() / file;
    p.pretrained = file.string();
  }
  if (root.contains("learning"))
    p.learning = parse_learning(source, "$.learning", root["learning"], /*per_layer=*/false);
  if (root.contains("training"))
    p.training = parse_training(source, root["training"]);
  if (root.contains("strategies"))
    p.strategies = parse_strategies(source, root["strategies"]);
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
