#include <engram/models/layer_registry.h>

#include <engram/models/bio_layers.h>

#include <c10/util/Exception.h>
#include <torch/nn/modules/activation.h>

#include <mutex>

namespace engram::models {

const char* to_string(ParamKind kind) {
  switch (kind) {
  case ParamKind::kInteger:
    return "integer";
  case ParamKind::kNumber:
    return "number";
  case ParamKind::kBool:
    return "boolean";
  case ParamKind::kString:
    return "string";
  }
  return "?";
}

namespace {

template <typename M>
NetworkLayer activation(const std::string& name, int64_t in_features) {
  // Activations are where XdG-style context gates act on hidden units.
  return NetworkLayer{name, torch::nn::AnyModule(M()), in_features, /*gate_point=*/true};
}

std::map<std::string, LayerType>& registry() {
  static std::map<std::string, LayerType> r = [] {
    std::map<std::string, LayerType> m;
    m["linear"] = LayerType{{{"out_features", ParamKind::kInteger}, {"bias", ParamKind::kBool}},
                            {"out_features"},
                            [](const LayerSpec& s, int64_t in) {
                              const auto out = static_cast<int64_t>(s.numbers.at("out_features"));
                              TORCH_CHECK(out > 0, s.path,
                                          ".out_features: expected a positive integer, got ", out);
                              const bool bias = s.flags.count("bias") ? s.flags.at("bias") : true;
                              torch::nn::Linear lin(torch::nn::LinearOptions(in, out).bias(bias));
                              return NetworkLayer{"linear", torch::nn::AnyModule(lin), out, false};
                            }};
    m["relu"] = LayerType{{}, {}, [](const LayerSpec&, int64_t in) {
                            return activation<torch::nn::ReLU>("relu", in);
                          }};
    m["tanh"] = LayerType{{}, {}, [](const LayerSpec&, int64_t in) {
                            return activation<torch::nn::Tanh>("tanh", in);
                          }};
    m["sigmoid"] = LayerType{{}, {}, [](const LayerSpec&, int64_t in) {
                               return activation<torch::nn::Sigmoid>("sigmoid", in);
                             }};
    add_bio_layer_types(m);
    return m;
  }();
  return r;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

} // namespace

void register_layer_type(const std::string& name, LayerType type) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry()[name] = std::move(type);
}

const LayerType* find_layer_type(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> layer_type_names() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& kv : registry())
    names.push_back(kv.first);
  return names;
}

Network build_network(const Preset& preset, int64_t in_features, int64_t num_outputs) {
  std::vector<NetworkLayer> body;
  int64_t width = in_features;
  for (const auto& spec : preset.layers) {
    const LayerType* type = find_layer_type(spec.type);
    TORCH_CHECK(type != nullptr, spec.path, ".type: unknown layer type '", spec.type, "'");
    body.push_back(type->build(spec, width));
    width = body.back().out_features;
  }
  return Network(std::move(body), in_features, num_outputs);
}

} // namespace engram::models
