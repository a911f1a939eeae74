#pragma once
// The hippocampal formation as a composed model (Marr 1971; McNaughton & Morris 1987; Treves &
// Rolls 1992, 1994; O'Reilly & McClelland 1994; Rolls 2013):
//   EC: input patterns of 0/1 with a fixed number of active units;
//   DG: a sparse expansion (dg_expansion times wider than EC) of the perforant path, a fixed random
//     projection followed by k-winners-take-all at dg_activity (a few percent): pattern
//     separation. Optional neurogenesis: turnover() re-draws the input weights of a fraction of
//     the granule cells (new neurons);
//   CA3: an autoassociator. At storage the mossy fibres (each CA3 cell gets mossy_inputs strong
//     synapses from random granule cells) choose the CA3 pattern, k-WTA at ca3_activity; the
//     recurrent collaterals store it with the covariance rule W += (p - a)(p - a)^T (Tsodyks &
//     Feigelman 1988), and the direct EC -> CA3 perforant path learns p (x - a_ec)^T. Recall uses
//     the direct path only (the DG is not needed to retrieve; Treves & Rolls 1992): the cue drives
//     a first CA3 state, which iterates s <- kWTA(W s) for recall_steps (pattern completion);
//   CA1: a Hebbian heteroassociative readout back to EC space, (x - a_ec)(p - a)^T, k-WTA at the
//     EC activity.
// With dentate_gyrus(false) the direct path chooses the CA3 pattern at storage as well (a fixed
// random EC -> CA3 projection, k-WTA), which is the ablation the capacity comparison needs.
// Simplified: binary rate units, synchronous updates, no CA1 comparison or EC layer II/III split,
// no theta or inhibitory interneurons beyond k-WTA, no synaptic bounds.
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace engram::models::circuits {

struct HippocampalFormationOptions {
  HippocampalFormationOptions(int64_t ec_size, int64_t ca3_size)
      : ec_size_(ec_size), ca3_size_(ca3_size) {}
  /// Number of EC units, >= 2.
  TORCH_ARG(int64_t, ec_size);
  /// Number of CA3 cells, >= 2.
  TORCH_ARG(int64_t, ca3_size);
  /// Active fraction of an EC pattern (the CA1 readout's k-WTA), in (0, 0.5].
  TORCH_ARG(double, ec_activity) = 0.1;
  /// DG width over EC width, an integer in [1, 100] (5-10 in the rodent).
  TORCH_ARG(int64_t, dg_expansion) = 8;
  /// Active fraction of the DG (k-WTA), in (0, 0.5]; a few percent.
  TORCH_ARG(double, dg_activity) = 0.02;
  /// Active fraction of CA3 (k-WTA), in (0, 0.5].
  TORCH_ARG(double, ca3_activity) = 0.05;
  /// Mossy-fibre synapses onto each CA3 cell, an integer in [1, DG size].
  TORCH_ARG(int64_t, mossy_inputs) = 20;
  /// Synchronous recurrent updates of CA3 recall, >= 0 (0: the direct path's state alone).
  TORCH_ARG(int64_t, recall_steps) = 10;
  /// Fraction of granule cells replaced by turnover(), in [0, 1].
  TORCH_ARG(double, dg_turnover) = 0.0;
  /// The DG chooses the CA3 pattern at storage (true) or the direct path does (false: no DG).
  TORCH_ARG(bool, dentate_gyrus) = true;
};

/// What recall returns: the CA3 state [B, ca3_size] and the CA1 output in EC space [B, ec_size].
struct HippocampalRecall {
  at::Tensor ca3, ec;
};

/// The EC -> DG -> CA3 -> CA1 model. Buffers: fixed projections "ec_dg" [DG, EC], "dg_ca3"
/// (mossy fibres) [CA3, DG], "ec_ca3_random" [CA3, EC]; Hebbian weights "ec_ca3" [CA3, EC],
/// "ca3_ca3" [CA3, CA3], "ca3_ca1" [EC, CA3]; "stored" (the number of patterns stored).
///
/// Example:
/// ```
/// HippocampalFormation hc(HippocampalFormationOptions(/*ec_size=*/200, /*ca3_size=*/400));
/// at::Tensor x = random_sparse_patterns(30, 200, 20, gen);
/// hc->store(x);
/// HippocampalRecall r = hc->recall(partial_cues(x, 0.4, gen)); // r.ec close to x
/// ```
class HippocampalFormationImpl : public torch::nn::Cloneable<HippocampalFormationImpl> {
public:
  HippocampalFormationImpl(int64_t ec_size, int64_t ca3_size)
      : HippocampalFormationImpl(HippocampalFormationOptions(ec_size, ca3_size)) {}
  explicit HippocampalFormationImpl(HippocampalFormationOptions options_);

  /// Registers the buffers, then calls reset_parameters().
  void reset() override;
  /// New random projections (global generator) and no stored pattern.
  void reset_parameters();

  /// The DG code [B, DG] of EC patterns [B, EC] (k-WTA of the random expansion).
  at::Tensor dentate_gyrus(const at::Tensor& ec) const;
  /// The CA3 pattern [B, CA3] storage assigns to EC patterns [B, EC].
  at::Tensor encode(const at::Tensor& ec) const;
  /// Stores EC patterns [P, EC] (Hebbian increments of the three learned pathways); returns their
  /// CA3 patterns [P, CA3].
  at::Tensor store(const at::Tensor& ec);
  /// Recall from EC cues [B, EC] (partial or noisy patterns).
  HippocampalRecall recall(const at::Tensor& cue) const;
  /// recall(cue).ec.
  at::Tensor forward(const at::Tensor& cue) { return recall(cue).ec; }
  /// Neurogenesis: new random input weights for round(dg_turnover * DG) granule cells (global
  /// generator); returns how many were replaced.
  int64_t turnover();

  int64_t dg_size() const { return options.ec_size() * options.dg_expansion(); }
  int64_t stored() const { return stored_.item<int64_t>(); }
  const at::Tensor& recurrent_weight() const { return ca3_ca3_; }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  HippocampalFormationOptions options;

private:
  void check_ec(const char* fn, const at::Tensor& ec) const;
  int64_t k_of(double activity, int64_t size) const;
  void draw_mossy_fibres();

  at::Tensor ec_dg_, dg_ca3_, ec_ca3_random_, ec_ca3_, ca3_ca3_, ca3_ca1_, stored_;
};

/// A `ModuleHolder` subclass for `HippocampalFormationImpl`.
TORCH_MODULE(HippocampalFormation);

} // namespace engram::models::circuits
