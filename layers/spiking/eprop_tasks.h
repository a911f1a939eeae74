#pragma once
// The recurrent tasks on which e-prop is compared with BPTT (Bellec et al. 2020), and one
// training loop for both:
// - pattern generation (the paper's first task): from one fixed pattern of random input spikes,
//   a recurrent network regresses K target curves, each a sum of sinusoids of 1, 2, 3 and 5 Hz
//   with random amplitudes and phases; measured by the normalised MSE, mean((y - y*)²) / var(y*);
// - delayed cue: one of two input populations fires for a cue period, then the network waits
//   `delay` steps (background noise only), then a recall population fires and the network must
//   report which cue it saw; measured by the accuracy of the mean output over the recall period
//   (chance 0.5).
// Each model is one recurrent layer (LIF, ALIF or leaky tanh) with a LeakyReadout; the methods are
// BPTT (autograd through the unrolled sequence), symmetric e-prop and random e-prop, with Adam.

#include <engram/layers/spiking/eprop.h>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace engram::layers::spiking {

/// The neuron model of the recurrent layer.
enum class RecurrentNeuron { kLif, kAlif, kLeakyTanh };
/// "lif", "alif", "tanh".
std::string to_string(RecurrentNeuron neuron);
/// Parses "lif", "alif" or "tanh"; anything else throws naming `what` and the value.
RecurrentNeuron parse_recurrent_neuron(const std::string& text, const std::string& what = "neuron");

/// How the recurrent layer's gradient is computed.
enum class GradientMethod { kBptt, kEpropSymmetric, kEpropRandom };
/// "bptt", "eprop-symmetric", "eprop-random".
std::string to_string(GradientMethod method);
/// Parses the names of to_string; anything else throws naming `what` and the value.
GradientMethod parse_gradient_method(const std::string& text, const std::string& what = "method");

/// One recurrent layer with a leaky readout, trainable by BPTT or e-prop.
struct RecurrentModelOptions {
  int64_t input_size = 1;  ///< input channels (> 0)
  int64_t hidden_size = 1; ///< recurrent units (> 0)
  int64_t output_size = 1; ///< outputs (> 0)
  RecurrentNeuron neuron = RecurrentNeuron::kLif;
  double tau_mem = 20;         ///< LIF/ALIF membrane (or tanh) time constant, steps (> 0)
  double tau_out = 20;         ///< readout time constant, steps (> 0)
  double tau_adaptation = 200; ///< ALIF adaptation time constant, steps (> 0)
  double beta = 1.8;           ///< ALIF adaptation strength (>= 0)
  double threshold = 1.0;      ///< LIF/ALIF threshold (> 0)
  double input_scale = 1;      ///< multiplies the initial input weights (> 0)
  double recurrent_scale = 1;  ///< multiplies the initial recurrent weights (>= 0)
  /// Multiplies the initial readout weights (>= 0); 0 picks 1 - kappa, the gain of the
  /// normalised filter y^t = kappa y^{t-1} + (1 - kappa) W_out z^t of Bellec et al.'s code, so
  /// that the untrained outputs start near the targets' scale.
  double readout_scale = 0;
};

/// The recurrent layer of `options.neuron` (its initial input and recurrent weights scaled by
/// input_scale and recurrent_scale) with a LeakyReadout and the Eprop that trains it; built under
/// the global seed.
class RecurrentModel {
public:
  explicit RecurrentModel(const RecurrentModelOptions& options,
                          EpropFeedback feedback = EpropFeedback::kSymmetric);

  /// y [T, B, K] with autograd history (for BPTT or evaluation).
  at::Tensor forward(const at::Tensor& x);
  /// The outputs, and the spike (or tanh output) rate of the recurrent layer, without autograd.
  at::Tensor forward_no_grad(const at::Tensor& x, double* mean_activity = nullptr);
  /// Adds dE/dθ to the parameters' .grad by `method`; returns E.
  double accumulate_gradients(GradientMethod method, const at::Tensor& x, const StepLoss& loss);
  /// The recurrent layer's parameters, then the readout's.
  std::vector<at::Tensor> parameters() const;

private:
  RecurrentModelOptions options_;
  LifRecurrent lif_{nullptr};
  AlifRecurrent alif_{nullptr};
  LeakyTanhRecurrent tanh_{nullptr};
  LeakyReadout readout_{nullptr};
  Eprop eprop_{nullptr};
};

// ---------------------------------------------------------------------------------------------
/// Pattern generation: one sequence, fixed input spikes, K target curves.
struct PatternGenerationOptions {
  int64_t steps = 1000;     ///< sequence length T, 1 ms steps (> 0)
  int64_t input_size = 100; ///< input neurons (> 0)
  double input_rate = 0.01; ///< input spike probability per step (in (0, 1])
  int64_t output_size = 3;  ///< target curves K (> 0)
  /// Multiplies the frequencies 1, 2, 3, 5 Hz (> 0): the same curves in fewer steps.
  double frequency_scale = 1;
  uint64_t seed = 0; ///< draws the input and the targets
};

struct PatternGenerationTask {
  at::Tensor inputs;  ///< [T, 1, input_size], 0/1
  at::Tensor targets; ///< [T, 1, K]
};

/// Draws the task (float32, CPU): amplitudes in [0.5, 2], phases in [0, 2π), frequencies 1, 2, 3,
/// 5 Hz at 1 ms per step.
PatternGenerationTask make_pattern_generation(const PatternGenerationOptions& options);
/// mean((y - y*)²) / var(y*) over all steps and outputs.
double normalised_mse(const at::Tensor& outputs, const at::Tensor& targets);

// ---------------------------------------------------------------------------------------------
/// Delayed cue: [cue | delay | recall] with noise, two classes.
struct DelayedCueOptions {
  int64_t cue_steps = 20;    ///< steps during which the cue population fires (> 0)
  int64_t delay = 20;        ///< steps between the cue and the recall (>= 0)
  int64_t recall_steps = 20; ///< steps of the recall period (> 0)
  int64_t population = 10;   ///< input neurons per population (> 0): cue 0, cue 1, recall, noise
  double rate = 0.2;         ///< spike probability per step of an active population (in (0, 1])
  double noise_rate = 0.02;  ///< spike probability per step of the noise population ([0, 1])
};

struct DelayedCueBatch {
  at::Tensor inputs;        ///< [T, B, 4 * population], 0/1
  at::Tensor labels;        ///< [B], int64 in {0, 1}
  int64_t recall_start = 0; ///< the first step of the recall period
};

/// A batch of `batch` sequences drawn with the global generator (float32, CPU).
DelayedCueBatch make_delayed_cue(const DelayedCueOptions& options, int64_t batch);
/// Cross-entropy of the outputs [., B, 2] at each recall step, divided by the recall length.
StepLoss delayed_cue_loss(const DelayedCueBatch& batch, int64_t recall_steps);
/// The fraction of sequences whose mean output over the recall period picks the cue.
double delayed_cue_accuracy(const at::Tensor& outputs, const DelayedCueBatch& batch);

// ---------------------------------------------------------------------------------------------
struct TrainingOptions {
  int64_t iterations = 200; ///< Adam steps (> 0)
  double lr = 3e-3;         ///< Adam learning rate (> 0)
  int64_t batch = 16;       ///< sequences per step, delayed cue (> 0)
  int64_t eval_batch = 256; ///< fresh sequences for the final accuracy, delayed cue (> 0)
  uint64_t seed = 0;        ///< initial weights, e-prop's random feedback, batches
  /// Called every `log_every` iterations (0: never) with (iteration, loss, metric).
  int64_t log_every = 0;
  std::function<void(int64_t, double, double)> log;
};

struct TrainingResult {
  double initial_metric = 0; ///< NMSE (pattern) or accuracy (delay) before training
  double final_metric = 0;   ///< after training (delay: on eval_batch fresh sequences)
  double mean_activity = 0;  ///< mean spike rate (tanh: mean |z|) after training
  double seconds = 0;
};

/// Trains `model` options on one pattern-generation task by `method`.
TrainingResult train_pattern_generation(const RecurrentModelOptions& model,
                                        const PatternGenerationTask& task, GradientMethod method,
                                        const TrainingOptions& training);
/// Trains on fresh delayed-cue batches by `method`.
TrainingResult train_delayed_cue(const RecurrentModelOptions& model, const DelayedCueOptions& task,
                                 GradientMethod method, const TrainingOptions& training);

/// Bytes of CPU memory that one gradient computation by `method` needs beyond what is live before
/// it, for a fresh model (seed 0) on the sequences x with the loss `loss`. `peak_bytes_of` runs the
/// function it is given and returns the growth of the peak of live bytes (e.g. counted by a
/// counting allocator; the library installs none).
int64_t
gradient_memory_bytes(const RecurrentModelOptions& model, GradientMethod method,
                      const at::Tensor& x, const StepLoss& loss,
                      const std::function<int64_t(const std::function<void()>&)>& peak_bytes_of);

} // namespace engram::layers::spiking
