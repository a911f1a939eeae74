#include <ops/plastic_rnn_case.h>

namespace engram::ops::testing {

std::string PlasticCase::name() const {
  std::string s = std::string(to_string(rule)) + "_" + to_string(modulation);
  if (modulation != Modulation::kNone) {
    s += source == ModSource::kGiven ? "_givenm" : "_head";
  }
  s += alpha == AlphaShape::kPerConnection ? "_alphaNN"
       : alpha == AlphaShape::kPerNeuron   ? "_alphaN"
                                           : "_alpha1";
  s += clip ? "_clip" : "_noclip";
  return s;
}

const std::vector<std::string>& PlasticProblem::input_names() {
  static const std::vector<std::string> names{"x", "h0",  "H0", "W_in", "W",   "alpha",
                                              "b", "eta", "E0", "m",    "w_m", "b_m"};
  return names;
}

PlasticProblem PlasticProblem::make(const PlasticCase& c, torch::Dtype dtype, uint64_t seed) {
  torch::manual_seed(seed);
  const auto o = torch::TensorOptions().dtype(dtype);
  PlasticProblem p;
  p.c = c;
  const int64_t T = c.T, B = c.B, I = c.with_w_in ? c.I : c.N, N = c.N;
  p.inputs.resize(12);
  p.inputs[0] = torch::randn({T, B, I}, o);
  p.inputs[1] = torch::randn({B, N}, o) * 0.5;
  p.inputs[2] = torch::randn({B, N, N}, o) * 0.1;
  if (c.with_w_in) {
    p.inputs[3] = torch::randn({N, I}, o) * 0.6;
  }
  p.inputs[4] = torch::randn({N, N}, o) * 0.5;
  switch (c.alpha) {
  case AlphaShape::kPerConnection:
    p.inputs[5] = torch::randn({N, N}, o) * 0.7;
    break;
  case AlphaShape::kPerNeuron:
    p.inputs[5] = torch::randn({N}, o) * 0.7;
    break;
  case AlphaShape::kScalar:
    p.inputs[5] = torch::randn({}, o) * 0.7;
    break;
  }
  p.inputs[6] = torch::randn({N}, o) * 0.1;
  p.inputs[7] = torch::full({}, 0.3, o);
  if (c.modulation == Modulation::kRetroactive) {
    p.inputs[8] = torch::randn({B, N, N}, o) * 0.1;
  }
  if (c.modulation != Modulation::kNone) {
    if (c.source == ModSource::kGiven) {
      p.inputs[9] = torch::randn({T, B}, o) * 0.5;
    } else {
      p.inputs[10] = torch::randn({N}, o) * 0.5;
      p.inputs[11] = torch::full({1}, 0.1, o);
    }
  }
  p.loss_weights = {torch::randn({T, B, N}, o), torch::randn({B, N}, o), torch::randn({B, N, N}, o),
                    torch::randn({B, N, N}, o), torch::randn({T, B}, o)};
  return p;
}

PlasticRnnOptions PlasticProblem::options() const {
  PlasticRnnOptions opt;
  opt.rule(c.rule).modulation(c.modulation).chunk_size(c.chunk);
  if (c.clip) {
    opt.clip(0.15);
  }
  return opt;
}

PlasticRnnResult PlasticProblem::run(const std::vector<torch::Tensor>& in, bool reference) const {
  PlasticRnnModulationInputs mod;
  mod.E0 = in[8];
  mod.m = in[9];
  mod.w_m = in[10];
  mod.b_m = in[11];
  return reference
             ? reference::plastic_rnn(in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], mod,
                                      options())
             : plastic_rnn(in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], mod, options());
}

torch::Tensor PlasticProblem::loss(const PlasticRnnResult& r) const {
  const auto dev = r.outputs.device();
  auto l = (r.outputs * loss_weights[0].to(dev)).sum() + (r.h * loss_weights[1].to(dev)).sum() +
           (r.H * loss_weights[2].to(dev)).sum();
  if (r.E.defined()) {
    l = l + (r.E * loss_weights[3].to(dev)).sum();
  }
  if (r.m.defined()) {
    l = l + (r.m * loss_weights[4].to(dev)).sum();
  }
  return l;
}

std::vector<torch::Tensor> PlasticProblem::leaves(torch::Device device) const {
  std::vector<torch::Tensor> out;
  for (const auto& t : inputs) {
    out.push_back(t.defined() ? t.detach().to(device).clone().requires_grad_(true) : t);
  }
  return out;
}

std::vector<PlasticCase> all_plastic_cases() {
  std::vector<PlasticCase> cases;
  for (auto rule : {HebbianRule::kHebb, HebbianRule::kOja}) {
    for (auto mod : {Modulation::kNone, Modulation::kSimple, Modulation::kRetroactive}) {
      for (auto source : {ModSource::kHead, ModSource::kGiven}) {
        if (mod == Modulation::kNone && source == ModSource::kGiven) {
          continue;
        }
        for (auto alpha :
             {AlphaShape::kPerConnection, AlphaShape::kPerNeuron, AlphaShape::kScalar}) {
          for (bool clip : {false, true}) {
            PlasticCase c;
            c.rule = rule;
            c.modulation = mod;
            c.source = source;
            c.alpha = alpha;
            c.clip = clip;
            cases.push_back(c);
          }
        }
      }
    }
  }
  return cases;
}

} // namespace engram::ops::testing
