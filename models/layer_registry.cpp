#include <engram/models/layer_registry.h>

#include <engram/models/bio_layers.h>
#include <engram/models/continual_batch_norm.h>
#include <engram/models/conv_layers.h>
#include <engram/models/pretrained.h>
#include <engram/models/residual_block.h>
#include <engram/models/soft_hebb_layers.h>
#include <engram/train/learning_rule.h>

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
NetworkLayer activation(const std::string& name, const Shape& in_shape) {
  // Activations are where XdG-style context gates act on hidden units; they keep any shape.
  return NetworkLayer{name, torch::nn::AnyModule(M()), shape_numel(in_shape), /*gate_point=*/true,
                      in_shape};
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
    m["relu"] = LayerType{{}, {}, [](const LayerSpec&, const Shape& in) {
                            return activation<torch::nn::ReLU>("relu", in);
                          }};
    m["tanh"] = LayerType{{}, {}, [](const LayerSpec&, const Shape& in) {
                            return activation<torch::nn::Tanh>("tanh", in);
                          }};
    m["sigmoid"] = LayerType{{}, {}, [](const LayerSpec&, const Shape& in) {
                               return activation<torch::nn::Sigmoid>("sigmoid", in);
                             }};
    add_conv_layer_types(m);
    add_batch_norm_layer_types(m);
    add_residual_layer_types(m);
    add_bio_layer_types(m);
    m["softhebb-linear"] = soft_hebb_linear_layer_type();
    m["softhebb-conv2d"] = soft_hebb_conv2d_layer_type();
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

std::string layer_label(const LayerSpec& spec) {
  return spec.path + " (" + spec.type + ")";
}

Network build_network(const Preset& preset, int64_t in_features, int64_t num_outputs) {
  return build_network(preset, Shape{in_features}, num_outputs);
}

Network build_network(const Preset& preset, const Shape& input_shape, int64_t num_outputs) {
  std::vector<NetworkLayer> body;
  learning::RuleContext rules; // the learning rules' shared state (engram/train/learning_rule.h)
  rules.num_outputs = num_outputs;
  Shape network_input = input_shape;
  Shape shape = input_shape;
  for (size_t i = 0; i < preset.layers.size(); ++i) {
    const LayerSpec& spec = preset.layers[i];
    const LayerType* type = find_layer_type(spec.type);
    TORCH_CHECK(type != nullptr, spec.path, ".type: unknown layer type '", spec.type, "'");
    NetworkLayer layer;
    if (type->build_shaped) {
      try {
        layer = type->build_shaped(spec, shape);
      } catch (const c10::Error& e) {
        TORCH_CHECK(false, "preset ", preset.source, ": ", e.what_without_backtrace());
      }
    } else {
      if (shape.size() != 1) {
        // A fully connected first layer reads the images flattened, as MLPs always have.
        TORCH_CHECK(i == 0, "preset ", preset.source, ": ", layer_label(spec),
                    ": expected a flat input [features], got ", shape_string(shape), " from ",
                    layer_label(preset.layers[i - 1]),
                    "; put a {\"type\": \"flatten\"} layer before it");
        shape = {shape_numel(shape)};
        network_input = shape;
      }
      layer = type->build(spec, shape[0]);
    }
    const std::string rule = learning::effective_rule(preset, spec);
    if (rule != "bp") {
      try {
        layer = learning::apply_layer_rule(rule, spec, shape, std::move(layer), rules);
      } catch (const c10::Error& e) {
        TORCH_CHECK(false, "preset ", preset.source, ": ", e.what_without_backtrace());
      }
    }
    if (layer.out_shape.empty())
      layer.out_shape = {layer.out_features};
    layer.out_features = shape_numel(layer.out_shape);
    shape = layer.out_shape;
    body.push_back(std::move(layer));
  }
  Network net(std::move(body), network_input, num_outputs);
  learning::apply_head_rule(learning::model_rule(preset), *net, rules, preset.source);
  if (!preset.pretrained.empty())
    load_pretrained_body(*net, preset.pretrained);
  return net;
}

} // namespace engram::models
