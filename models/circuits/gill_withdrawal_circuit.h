#pragma once
// The Aplysia gill-withdrawal circuit (Kandel 2001; Castellucci & Kandel 1974; Byrne & Kandel
// 1996), reduced to the parts habituation and sensitization need:
//   sensory neurons, one per pathway (siphon, mantle, ...), each making a depressing
//     Tsodyks-Markram synapse onto the motor neuron (the fast process: vesicle depletion that
//     recovers in tau_recovery);
//   a slower process beside it: a use-dependent long-term decrease of each synapse's release
//     capacity c (c <- c (1 - depletion * release) at every release; recovers in tau_capacity),
//     which makes a second series habituate faster than the first (potentiation of
//     habituation) while spontaneous recovery after rest is only partial;
//   a facilitatory interneuron excited by a noxious tail shock that releases a serotonin-like
//     modulator m (jumps by the shock's strength, decays in tau_modulator); m broadens the
//     sensory spikes and scales the release of every sensory synapse by (1 + modulation * m)
//     (presynaptic facilitation), which gives dishabituation and sensitization.
//   motor neuron: the gill withdrawal is sum_p c_p (1 + modulation * m) release_p / U, so an
//     unhabituated, unmodulated response is 1.
// Simplified: one motor neuron, no interneuron-mediated excitation of the motor neuron, no
// long-term (CREB-dependent) sensitization, no spike generation (graded release).
#include <engram/layers/synapse/tsodyks_markram_synapse.h>

#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace engram::models::circuits {

struct GillWithdrawalCircuitOptions {
  /// Number of sensory pathways (e.g. siphon and mantle), >= 1.
  TORCH_ARG(int64_t, pathways) = 2;
  /// Release fraction U of the sensory-motor synapses, in (0, 1).
  TORCH_ARG(double, utilisation) = 0.2;
  /// Recovery time constant (s) of the synapses' resources (the fast process), > 0.
  TORCH_ARG(double, tau_recovery) = 100.0;
  /// Fraction of release capacity lost per unit of release (the slow process), in [0, 1).
  TORCH_ARG(double, depletion) = 0.2;
  /// Recovery time constant (s) of the release capacity, > tau_recovery.
  TORCH_ARG(double, tau_capacity) = 3600.0;
  /// Decay time constant (s) of the serotonin-like modulator, > 0.
  TORCH_ARG(double, tau_modulator) = 600.0;
  /// Gain of presynaptic facilitation per unit of modulator, >= 0.
  TORCH_ARG(double, modulation) = 1.5;
};

/// The gill-withdrawal circuit of one animal. Submodule "sensory_motor" (a TsodyksMarkramSynapse,
/// fixed constants); buffers "capacity" [pathways] and "modulator" (a scalar), float32, and
/// "clock" (float64, seconds simulated).
///
/// Example:
/// ```
/// GillWithdrawalCircuit aplysia(GillWithdrawalCircuitOptions{});
/// double first = aplysia->touch(/*pathway=*/0, /*after=*/0);
/// for (int k = 0; k < 14; ++k) aplysia->touch(0, /*after=*/10); // habituation
/// aplysia->shock(/*strength=*/1, /*after=*/5);                   // tail shock
/// double dishabituated = aplysia->touch(0, /*after=*/5);
/// ```
class GillWithdrawalCircuitImpl : public torch::nn::Cloneable<GillWithdrawalCircuitImpl> {
public:
  explicit GillWithdrawalCircuitImpl(GillWithdrawalCircuitOptions options_ = {});

  /// Registers the synapse and the buffers, then calls reset_parameters().
  void reset() override;
  /// A rested, unmodulated animal: synapses at rest, full capacity, no modulator, clock 0.
  void reset_parameters();

  /// Lets `duration` seconds (>= 0) pass without stimuli: every process relaxes.
  void rest(double duration);
  /// A touch of strength `intensity` in (0, 1] to `pathway`, `after` seconds (>= 0) after the
  /// last event; returns the gill withdrawal (1 for an unhabituated, unmodulated touch of 1).
  double touch(int64_t pathway, double after, double intensity = 1.0);
  /// A noxious tail shock of `strength` (> 0), `after` seconds after the last event: the
  /// facilitatory interneuron releases modulator.
  void shock(double strength, double after);
  /// The withdrawal a touch of `pathway` would give now, without delivering it.
  double probe(int64_t pathway) const;

  /// Responses to `count` touches of `pathway`, `interval` s apart, the first `after` s after
  /// the last event.
  std::vector<double> series(int64_t pathway, int64_t count, double interval, double after);

  const layers::synapse::TsodyksMarkramSynapse& sensory_motor() const { return synapse_; }
  const at::Tensor& capacity() const { return capacity_; }
  double modulator() const { return modulator_.item<double>(); }
  double clock() const { return clock_.item<double>(); }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  GillWithdrawalCircuitOptions options;

private:
  void check_pathway(const char* fn, int64_t pathway) const;

  layers::synapse::TsodyksMarkramSynapse synapse_{nullptr};
  at::Tensor capacity_, modulator_, clock_;
};

/// A `ModuleHolder` subclass for `GillWithdrawalCircuitImpl`.
TORCH_MODULE(GillWithdrawalCircuit);

} // namespace engram::models::circuits
