#include <engram/layers/plastic/plasticity.h>

#include <ATen/ATen.h>

namespace engram::layers {

std::string to_string(PlasticityRule rule) {
  return rule == PlasticityRule::kOja ? "oja" : "hebb";
}

std::string to_string(Neuromodulation modulation) {
  switch (modulation) {
  case Neuromodulation::kNone:
    return "none";
  case Neuromodulation::kSimple:
    return "simple";
  case Neuromodulation::kRetroactive:
    return "retroactive";
  }
  return "unknown";
}

std::string to_string(AlphaShape shape) {
  switch (shape) {
  case AlphaShape::kPerConnection:
    return "per_connection";
  case AlphaShape::kPerNeuron:
    return "per_neuron";
  case AlphaShape::kScalar:
    return "scalar";
  }
  return "unknown";
}

namespace plasticity {

at::Tensor rule_direction(PlasticityRule rule, const at::Tensor& trace, const at::Tensor& pre,
                          const at::Tensor& post) {
  const auto outer = at::bmm(pre.unsqueeze(2), post.unsqueeze(1));
  if (rule == PlasticityRule::kHebb) {
    return outer;
  }
  return outer - trace * post.square().unsqueeze(1);
}

at::Tensor broadcast_alpha(const at::Tensor& alpha, AlphaShape shape) {
  return shape == AlphaShape::kPerNeuron ? alpha.unsqueeze(0) : alpha;
}

} // namespace plasticity
} // namespace engram::layers
