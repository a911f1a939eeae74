#pragma once
// Random plastic_rnn problems for the tests: every input, a fixed random loss over every output,
// and the gradients of that loss.
#include <engram/ops/plastic_rnn.h>

#include <torch/types.h>
#include <torch/utils.h>

#include <string>
#include <vector>

namespace engram::ops::testing {

enum class ModSource { kGiven, kHead }; // where m comes from when modulated

struct PlasticCase {
  HebbianRule rule = HebbianRule::kHebb;
  Modulation modulation = Modulation::kNone;
  ModSource source = ModSource::kHead;
  AlphaShape alpha = AlphaShape::kPerConnection;
  bool clip = false;
  int64_t T = 7, B = 3, I = 4, N = 5;
  std::optional<int64_t> chunk = 3;
  bool with_w_in = true;

  std::string name() const;
};

struct PlasticProblem {
  // inputs, in the order of input_names()
  std::vector<torch::Tensor> inputs;
  // loss weights for outputs, h, H, E, m
  std::vector<torch::Tensor> loss_weights;
  PlasticCase c;

  static PlasticProblem make(const PlasticCase& c, torch::Dtype dtype, uint64_t seed);
  static const std::vector<std::string>& input_names();
  PlasticRnnOptions options() const;
  // Runs the fused op (or the reference) on `inputs`.
  PlasticRnnResult run(const std::vector<torch::Tensor>& in, bool reference) const;
  torch::Tensor loss(const PlasticRnnResult& r) const;
  // Inputs as fresh leaves requiring grad (undefined stay undefined).
  std::vector<torch::Tensor> leaves(torch::Device device = torch::kCPU) const;
};

std::vector<PlasticCase> all_plastic_cases();

} // namespace engram::ops::testing
