#pragma once
// An amygdala-like fear circuit: conditioning as a Hebbian CS-US association, extinction as new,
// context-gated inhibitory learning (Bouton 2004; Quirk & Mueller 2008; Herry et al. 2010).
//   lateral amygdala (LA): the CS-US association a_i, Hebbian between the CS input x_i and the
//     US-driven LA activity, saturating at 1: da_i = acquisition_rate * us * x_i * (1 - a_i);
//   intercalated cells (ITC): inhibitory weights h[c, i] from CS i, gated by the context c (the
//     hippocampal / infralimbic context signal). They grow when the CS predicts a US that does
//     not come: dh[c, i] = extinction_rate * ctx_c * x_i * max(0, fear - us);
//   central amygdala (CeA) output: fear = max(0, a.x - sum_c ctx_c h[c].x).
// Extinction leaves the CS-US association a intact and adds inhibition that holds only in the
// extinction context, so fear returns in the acquisition context (ABA renewal) and in a novel
// one (ABC renewal): the effect Rescorla-Wagner, which extinguishes by unlearning, cannot give.
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace engram::models::circuits {

struct FearCircuitOptions {
  FearCircuitOptions(int64_t num_cues, int64_t num_contexts)
      : num_cues_(num_cues), num_contexts_(num_contexts) {}
  /// Number of conditioned stimuli (cues), >= 1.
  TORCH_ARG(int64_t, num_cues);
  /// Number of context units, >= 1 (a context is a vector over them, e.g. one-hot).
  TORCH_ARG(int64_t, num_contexts);
  /// Rate of the Hebbian CS-US association in the lateral amygdala, in (0, 1].
  TORCH_ARG(double, acquisition_rate) = 0.3;
  /// Rate of the context-gated inhibitory (extinction) learning, in (0, 1].
  TORCH_ARG(double, extinction_rate) = 0.2;
};

/// The fear circuit: buffers "association" [num_cues] (LA) and "extinction"
/// [num_contexts, num_cues] (ITC), float64.
///
/// Example:
/// ```
/// FearCircuit fear(FearCircuitOptions(/*num_cues=*/1, /*num_contexts=*/2));
/// const at::Tensor tone = torch::ones({1}, torch::kDouble);
/// const at::Tensor a = torch::tensor({1.0, 0.0}), b = torch::tensor({0.0, 1.0});
/// for (int k = 0; k < 10; ++k) fear->trial(tone, a, /*us=*/1); // acquisition in A
/// for (int k = 0; k < 20; ++k) fear->trial(tone, b, /*us=*/0); // extinction in B
/// fear->fear(tone, a); // renewal: high again in A
/// ```
class FearCircuitImpl : public torch::nn::Cloneable<FearCircuitImpl> {
public:
  FearCircuitImpl(int64_t num_cues, int64_t num_contexts)
      : FearCircuitImpl(FearCircuitOptions(num_cues, num_contexts)) {}
  explicit FearCircuitImpl(FearCircuitOptions options_);

  /// Registers the "association" and "extinction" buffers, then calls reset_parameters().
  void reset() override;
  /// No association and no extinction.
  void reset_parameters();

  /// The CeA output, fear of cues [num_cues] in context [num_contexts] (both in [0, 1]).
  double fear(const at::Tensor& cues, const at::Tensor& context) const;
  /// The conditioned response, fear(cues, context), as a scalar tensor.
  at::Tensor forward(const at::Tensor& cues, const at::Tensor& context);
  /// One trial in `context`, followed by a US of magnitude us in [0, 1]; learns and returns the
  /// fear expressed before the US.
  double trial(const at::Tensor& cues, const at::Tensor& context, double us);

  /// LA's CS-US association a [num_cues].
  const at::Tensor& association() const { return association_; }
  /// ITC's context-gated inhibition h [num_contexts, num_cues].
  const at::Tensor& extinction() const { return extinction_; }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  FearCircuitOptions options;

private:
  void check(const char* fn, const at::Tensor& cues, const at::Tensor& context) const;

  at::Tensor association_, extinction_;
};

/// A `ModuleHolder` subclass for `FearCircuitImpl`.
TORCH_MODULE(FearCircuit);

} // namespace engram::models::circuits
