#include <engram/core/join.h>
#include <engram/core/plasticity.h>

#include <c10/util/Exception.h>

#include <algorithm>

namespace engram {

namespace {

// One table per enum: every value with its name, in declaration order. to_string, all_* and
// parse_* read these, so a new value is one row.
template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

const std::vector<Named<HebbianRule>>& hebbian_rule_names() {
  static const std::vector<Named<HebbianRule>> t{{HebbianRule::kHebb, "hebb"},
                                                 {HebbianRule::kOja, "oja"},
                                                 {HebbianRule::kSanger, "sanger"},
                                                 {HebbianRule::kBcm, "bcm"},
                                                 {HebbianRule::kCovariance, "covariance"},
                                                 {HebbianRule::kSoftWta, "soft_wta"},
                                                 {HebbianRule::kHardWta, "hard_wta"}};
  return t;
}

const std::vector<Named<Modulation>>& modulation_names() {
  static const std::vector<Named<Modulation>> t{{Modulation::kNone, "none"},
                                                {Modulation::kSimple, "simple"},
                                                {Modulation::kRetroactive, "retroactive"}};
  return t;
}

const std::vector<Named<AlphaShape>>& alpha_shape_names() {
  static const std::vector<Named<AlphaShape>> t{{AlphaShape::kPerConnection, "per_connection"},
                                                {AlphaShape::kPerNeuron, "per_neuron"},
                                                {AlphaShape::kScalar, "scalar"}};
  return t;
}

const std::vector<Named<Activation>>& activation_names() {
  static const std::vector<Named<Activation>> t{{Activation::kNone, "none"},
                                                {Activation::kTanh, "tanh"},
                                                {Activation::kRelu, "relu"},
                                                {Activation::kSigmoid, "sigmoid"}};
  return t;
}

template <typename Enum>
std::string name_in(const std::vector<Named<Enum>>& table, Enum value) {
  for (const auto& row : table) {
    if (row.value == value) {
      return row.name;
    }
  }
  return "unknown";
}

template <typename Enum>
std::vector<Enum> values_of(const std::vector<Named<Enum>>& table) {
  std::vector<Enum> values;
  for (const auto& row : table) {
    values.push_back(row.value);
  }
  return values;
}

template <typename Enum>
std::string names_of(const std::vector<Enum>& values) {
  std::vector<std::string> names;
  for (auto v : values) {
    names.push_back(to_string(v));
  }
  return join(names);
}

template <typename Enum>
Enum parse_enum(const std::vector<Enum>& values, const std::string& name, const char* argument) {
  for (auto v : values) {
    if (to_string(v) == name) {
      return v;
    }
  }
  TORCH_CHECK(false, "option '", argument, "' expected one of ", names_of(values), ", got '", name,
              "'");
}

} // namespace

std::string to_string(HebbianRule rule) {
  return name_in(hebbian_rule_names(), rule);
}
std::string to_string(Modulation modulation) {
  return name_in(modulation_names(), modulation);
}
std::string to_string(AlphaShape shape) {
  return name_in(alpha_shape_names(), shape);
}
std::string to_string(Activation activation) {
  return name_in(activation_names(), activation);
}

const std::vector<HebbianRule>& all_hebbian_rules() {
  static const auto v = values_of(hebbian_rule_names());
  return v;
}
const std::vector<Modulation>& all_modulations() {
  static const auto v = values_of(modulation_names());
  return v;
}
const std::vector<AlphaShape>& all_alpha_shapes() {
  static const auto v = values_of(alpha_shape_names());
  return v;
}
const std::vector<Activation>& all_activations() {
  static const auto v = values_of(activation_names());
  return v;
}

HebbianRule parse_hebbian_rule(const std::string& name, const char* argument) {
  return parse_enum(all_hebbian_rules(), name, argument);
}

Modulation parse_modulation(const std::string& name, const char* argument) {
  return parse_enum(all_modulations(), name, argument);
}

AlphaShape parse_alpha_shape(const std::string& name, const char* argument) {
  return parse_enum(all_alpha_shapes(), name, argument);
}

Activation parse_activation(const std::string& name, const char* argument) {
  return parse_enum(all_activations(), name, argument);
}

void check_hebbian_rule(const char* who, HebbianRule rule,
                        const std::vector<HebbianRule>& supported) {
  TORCH_CHECK(std::find(supported.begin(), supported.end(), rule) != supported.end(), who,
              ": option 'rule' expected one of ", names_of(supported), ", got '", to_string(rule),
              "'");
}

} // namespace engram
