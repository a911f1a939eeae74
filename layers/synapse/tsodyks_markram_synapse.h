#pragma once
// The Tsodyks-Markram model of short-term synaptic plasticity (Tsodyks & Markram 1997; Tsodyks,
// Pawelzik & Markram 1998; Markram, Wang & Tsodyks 1998). Each synapse has resources x (the
// fraction of vesicles available, 1 at rest) and utilisation u (the release fraction, 0 at rest).
// Between presynaptic spikes both relax:
//   x <- 1 - (1 - x) exp(-dt / tau_recovery),   u <- u exp(-dt / tau_facilitation);
// at a spike s (1 a spike, 0 none, values between scale it):
//   u <- u + U (1 - u) s,   release r = amplitude * u * x * s,   x <- x - u x s.
// A large U with slow recovery gives depression (paired-pulse ratio < 1); a small U with slow
// facilitation gives facilitation (ratio > 1). Every operation is differentiable in the spikes and
// in the parameters (U, tau_recovery, tau_facilitation, amplitude, learned through their logit and
// logarithms when `learnable`), so a sequence given to forward() can be trained through.
// Times are in whatever unit `dt` is given in (ms for cortical synapses, s for Aplysia).
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

namespace engram::layers::synapse {

struct TsodyksMarkramSynapseOptions {
  explicit TsodyksMarkramSynapseOptions(int64_t size) : size_(size) {}
  /// Number of synapses (one per presynaptic input), >= 1.
  TORCH_ARG(int64_t, size);
  /// Utilisation increment U at a spike (the release fraction from rest), in (0, 1).
  TORCH_ARG(double, utilisation) = 0.5;
  /// Recovery time constant of the resources, > 0.
  TORCH_ARG(double, tau_recovery) = 800.0;
  /// Decay time constant of the utilisation, > 0 (small: no facilitation).
  TORCH_ARG(double, tau_facilitation) = 10.0;
  /// Release per unit of u x (the synaptic efficacy), > 0.
  TORCH_ARG(double, amplitude) = 1.0;
  /// The four constants are parameters (logit U and the logarithms of the others) when true,
  /// fixed buffers when false.
  TORCH_ARG(bool, learnable) = true;
};

/// A layer of Tsodyks-Markram synapses. The state (resources and utilisation, [B, size]) lives in
/// registered buffers: reset_state(batch) puts every synapse at rest. forward(spikes [T, B, size],
/// dt) returns the release [T, B, size] and leaves the last state in the buffers (detached:
/// gradients flow through one forward() call, not across calls).
///
/// Example:
/// ```
/// TsodyksMarkramSynapse syn(TsodyksMarkramSynapseOptions(1).utilisation(0.5).tau_recovery(800));
/// syn->reset_state(1);
/// at::Tensor spikes = torch::ones({2, 1, 1});
/// at::Tensor release = syn(spikes, /*dt=*/50.0); // the second release is smaller: depression
/// ```
class TsodyksMarkramSynapseImpl : public torch::nn::Cloneable<TsodyksMarkramSynapseImpl> {
public:
  explicit TsodyksMarkramSynapseImpl(int64_t size)
      : TsodyksMarkramSynapseImpl(TsodyksMarkramSynapseOptions(size)) {}
  explicit TsodyksMarkramSynapseImpl(TsodyksMarkramSynapseOptions options_);

  /// Registers the constants (parameters or buffers) and the state buffers, then calls
  /// reset_parameters().
  void reset() override;
  /// Every synapse's constants back to the options; the state emptied (batch 0).
  void reset_parameters();
  /// Every synapse of a batch of `batch` at rest: x = 1, u = 0.
  void reset_state(int64_t batch);

  /// Relaxes the state over `elapsed` (>= 0), then applies spikes [B, size]; returns the release
  /// [B, size].
  at::Tensor step(const at::Tensor& spikes, double elapsed);
  /// Relaxes the state over `elapsed` (>= 0) without spikes.
  void relax(double elapsed);
  /// Spikes [T, B, size], one step of `dt` (> 0) apart, from the current state (reset_state
  /// first); returns the release [T, B, size].
  at::Tensor forward(const at::Tensor& spikes, double dt);
  /// Release of a second spike over that of a first, `interval` (> 0) after it, from rest: [size].
  /// Leaves the state as it was.
  at::Tensor paired_pulse_ratio(double interval);

  /// U [size], tau_recovery [size], tau_facilitation [size], amplitude [size].
  at::Tensor utilisation() const { return at::sigmoid(logit_utilisation_); }
  at::Tensor tau_recovery() const { return log_tau_recovery_.exp(); }
  at::Tensor tau_facilitation() const { return log_tau_facilitation_.exp(); }
  at::Tensor amplitude() const { return log_amplitude_.exp(); }
  /// The state: resources x and utilisation u, [B, size] (batch 0 before reset_state).
  const at::Tensor& resources() const { return resources_; }
  const at::Tensor& utilisation_state() const { return utilisation_state_; }
  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  TsodyksMarkramSynapseOptions options;

private:
  struct State {
    at::Tensor x, u;
  };
  State relaxed(State s, double elapsed) const;
  at::Tensor spike(State& s, const at::Tensor& spikes) const;
  void check_spikes(const char* fn, const at::Tensor& spikes, int64_t dims) const;
  void store(const State& s);

  at::Tensor logit_utilisation_, log_tau_recovery_, log_tau_facilitation_, log_amplitude_;
  at::Tensor resources_, utilisation_state_;
};

/// A `ModuleHolder` subclass for `TsodyksMarkramSynapseImpl`.
TORCH_MODULE(TsodyksMarkramSynapse);

} // namespace engram::layers::synapse
