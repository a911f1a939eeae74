#include <engram/layers/spiking/eprop_tasks.h>

#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <cmath>
#include <random>

namespace engram::layers::spiking {

std::string to_string(RecurrentNeuron neuron) {
  switch (neuron) {
  case RecurrentNeuron::kLif:
    return "lif";
  case RecurrentNeuron::kAlif:
    return "alif";
  case RecurrentNeuron::kLeakyTanh:
    return "tanh";
  }
  return "?";
}

RecurrentNeuron parse_recurrent_neuron(const std::string& text, const std::string& what) {
  for (auto n : {RecurrentNeuron::kLif, RecurrentNeuron::kAlif, RecurrentNeuron::kLeakyTanh}) {
    if (text == to_string(n)) {
      return n;
    }
  }
  TORCH_CHECK(false, what, ": expected 'lif', 'alif' or 'tanh', got '", text, "'");
}

std::string to_string(GradientMethod method) {
  switch (method) {
  case GradientMethod::kBptt:
    return "bptt";
  case GradientMethod::kEpropSymmetric:
    return "eprop-symmetric";
  case GradientMethod::kEpropRandom:
    return "eprop-random";
  }
  return "?";
}

GradientMethod parse_gradient_method(const std::string& text, const std::string& what) {
  for (auto m :
       {GradientMethod::kBptt, GradientMethod::kEpropSymmetric, GradientMethod::kEpropRandom}) {
    if (text == to_string(m)) {
      return m;
    }
  }
  TORCH_CHECK(false, what, ": expected 'bptt', 'eprop-symmetric' or 'eprop-random', got '", text,
              "'");
}

namespace {

void check_model_options(const RecurrentModelOptions& o) {
  TORCH_CHECK(o.input_size > 0, "RecurrentModel: option 'input_size' expected > 0, got ",
              o.input_size);
  TORCH_CHECK(o.input_scale > 0, "RecurrentModel: option 'input_scale' expected > 0, got ",
              o.input_scale);
  TORCH_CHECK(o.readout_scale >= 0,
              "RecurrentModel: option 'readout_scale' expected >= 0 (0 = 1 - kappa), got ",
              o.readout_scale);
  TORCH_CHECK(o.recurrent_scale >= 0,
              "RecurrentModel: option 'recurrent_scale' expected >= 0, got ", o.recurrent_scale);
  // The other ranges are the layers' own, checked by their constructors.
}

} // namespace

RecurrentModel::RecurrentModel(const RecurrentModelOptions& o, EpropFeedback feedback)
    : options_(o) {
  check_model_options(o);
  at::Tensor w_in, w_rec;
  switch (o.neuron) {
  case RecurrentNeuron::kLif:
    lif_ = LifRecurrent(
        LifRecurrentOptions(o.input_size, o.hidden_size).tau_mem(o.tau_mem).threshold(o.threshold));
    w_in = lif_->w_in;
    w_rec = lif_->w_rec;
    break;
  case RecurrentNeuron::kAlif:
    alif_ = AlifRecurrent(AlifRecurrentOptions(o.input_size, o.hidden_size)
                              .tau_mem(o.tau_mem)
                              .threshold(o.threshold)
                              .tau_adaptation(o.tau_adaptation)
                              .beta(o.beta));
    w_in = alif_->w_in;
    w_rec = alif_->w_rec;
    break;
  case RecurrentNeuron::kLeakyTanh:
    tanh_ =
        LeakyTanhRecurrent(LeakyTanhRecurrentOptions(o.input_size, o.hidden_size).tau(o.tau_mem));
    w_in = tanh_->w_in;
    w_rec = tanh_->w_rec;
    break;
  }
  {
    torch::NoGradGuard no_grad;
    w_in.mul_(o.input_scale);
    w_rec.mul_(o.recurrent_scale);
  }
  readout_ = LeakyReadout(LeakyReadoutOptions(o.hidden_size, o.output_size).tau_out(o.tau_out));
  {
    torch::NoGradGuard no_grad;
    readout_->weight.mul_(o.readout_scale > 0 ? o.readout_scale : 1.0 - readout_->kappa());
  }
  eprop_ = Eprop(EpropOptions(o.hidden_size, o.output_size).feedback(feedback));
}

at::Tensor RecurrentModel::forward(const at::Tensor& x) {
  switch (options_.neuron) {
  case RecurrentNeuron::kLif:
    return readout_->forward(lif_->forward(x).spikes);
  case RecurrentNeuron::kAlif:
    return readout_->forward(alif_->forward(x).spikes);
  case RecurrentNeuron::kLeakyTanh:
    break;
  }
  return readout_->forward(tanh_->forward(x).outputs);
}

at::Tensor RecurrentModel::forward_no_grad(const at::Tensor& x, double* mean_activity) {
  torch::NoGradGuard no_grad;
  at::Tensor hidden;
  switch (options_.neuron) {
  case RecurrentNeuron::kLif:
    hidden = lif_->forward(x).spikes;
    break;
  case RecurrentNeuron::kAlif:
    hidden = alif_->forward(x).spikes;
    break;
  case RecurrentNeuron::kLeakyTanh:
    hidden = tanh_->forward(x).outputs;
    break;
  }
  if (mean_activity != nullptr) {
    *mean_activity = hidden.abs().mean().item<double>();
  }
  return readout_->forward(hidden);
}

double RecurrentModel::accumulate_gradients(GradientMethod method, const at::Tensor& x,
                                            const StepLoss& loss) {
  if (method == GradientMethod::kBptt) {
    const auto y = forward(x);
    at::Tensor total;
    for (int64_t t = 0; t < y.size(0); ++t) {
      const auto value = loss(t, y[t]);
      if (value.defined()) {
        total = total.defined() ? total + value : value;
      }
    }
    TORCH_CHECK(total.defined(), "RecurrentModel: the step loss is undefined at every step");
    total.backward();
    return total.item<double>();
  }
  switch (options_.neuron) {
  case RecurrentNeuron::kLif:
    return eprop_->accumulate_gradients(*lif_, *readout_, x, loss).loss;
  case RecurrentNeuron::kAlif:
    return eprop_->accumulate_gradients(*alif_, *readout_, x, loss).loss;
  case RecurrentNeuron::kLeakyTanh:
    break;
  }
  return eprop_->accumulate_gradients(*tanh_, *readout_, x, loss).loss;
}

std::vector<at::Tensor> RecurrentModel::parameters() const {
  std::vector<at::Tensor> params;
  switch (options_.neuron) {
  case RecurrentNeuron::kLif:
    params = lif_->parameters();
    break;
  case RecurrentNeuron::kAlif:
    params = alif_->parameters();
    break;
  case RecurrentNeuron::kLeakyTanh:
    params = tanh_->parameters();
    break;
  }
  for (const auto& p : readout_->parameters()) {
    params.push_back(p);
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
PatternGenerationTask make_pattern_generation(const PatternGenerationOptions& o) {
  TORCH_CHECK(o.steps > 0, "pattern generation: option 'steps' expected > 0, got ", o.steps);
  TORCH_CHECK(o.input_size > 0, "pattern generation: option 'input_size' expected > 0, got ",
              o.input_size);
  TORCH_CHECK(o.input_rate > 0 && o.input_rate <= 1,
              "pattern generation: option 'input_rate' expected in (0, 1], got ", o.input_rate);
  TORCH_CHECK(o.output_size > 0, "pattern generation: option 'output_size' expected > 0, got ",
              o.output_size);
  TORCH_CHECK(o.frequency_scale > 0,
              "pattern generation: option 'frequency_scale' expected > 0, got ", o.frequency_scale);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  PatternGenerationTask task;
  task.inputs = (at::rand({o.steps, 1, o.input_size}, gen) < o.input_rate).to(at::kFloat);
  const double freqs[] = {1.0, 2.0, 3.0, 5.0};
  const auto time = at::arange(o.steps, at::kDouble) * 1e-3; // seconds
  auto targets = at::zeros({o.steps, o.output_size}, at::kDouble);
  const auto amplitudes = at::rand({o.output_size, 4}, gen, at::kDouble) * 1.5 + 0.5;
  const auto phases = at::rand({o.output_size, 4}, gen, at::kDouble) * (2 * M_PI);
  for (int64_t k = 0; k < o.output_size; ++k) {
    for (int64_t f = 0; f < 4; ++f) {
      targets.select(1, k) +=
          amplitudes[k][f].item<double>() *
          at::sin(2 * M_PI * freqs[f] * o.frequency_scale * time + phases[k][f].item<double>());
    }
  }
  // Scaled to unit peak amplitude, as the outputs of a readout of a few spikes can reach.
  targets = targets / targets.abs().max();
  task.targets = targets.to(at::kFloat).unsqueeze(1);
  return task;
}

double normalised_mse(const at::Tensor& outputs, const at::Tensor& targets) {
  TORCH_CHECK(outputs.sizes() == targets.sizes(),
              "normalised_mse: argument 'outputs' expected shape ", targets.sizes(),
              " (the targets'), got ", outputs.sizes());
  const auto t = targets.to(at::kDouble);
  const auto mse = (outputs.to(at::kDouble) - t).pow(2).mean().item<double>();
  return mse / t.var(/*unbiased=*/false).item<double>();
}

// ---------------------------------------------------------------------------------------------
namespace {

void check_delayed_cue(const DelayedCueOptions& o) {
  TORCH_CHECK(o.cue_steps > 0, "delayed cue: option 'cue_steps' expected > 0, got ", o.cue_steps);
  TORCH_CHECK(o.delay >= 0, "delayed cue: option 'delay' expected >= 0, got ", o.delay);
  TORCH_CHECK(o.recall_steps > 0, "delayed cue: option 'recall_steps' expected > 0, got ",
              o.recall_steps);
  TORCH_CHECK(o.population > 0, "delayed cue: option 'population' expected > 0, got ",
              o.population);
  TORCH_CHECK(o.rate > 0 && o.rate <= 1, "delayed cue: option 'rate' expected in (0, 1], got ",
              o.rate);
  TORCH_CHECK(o.noise_rate >= 0 && o.noise_rate <= 1,
              "delayed cue: option 'noise_rate' expected in [0, 1], got ", o.noise_rate);
}

} // namespace

DelayedCueBatch make_delayed_cue(const DelayedCueOptions& o, int64_t batch) {
  check_delayed_cue(o);
  TORCH_CHECK(batch > 0, "make_delayed_cue: argument 'batch' expected > 0, got ", batch);
  const auto p = o.population;
  const auto steps = o.cue_steps + o.delay + o.recall_steps;
  DelayedCueBatch b;
  b.labels = at::randint(0, 2, {batch}, at::kLong);
  b.recall_start = o.cue_steps + o.delay;
  auto rates = at::zeros({steps, batch, 4 * p});
  rates.narrow(2, 3 * p, p).fill_(o.noise_rate);
  auto cue = rates.narrow(0, 0, o.cue_steps);
  const auto is_one = b.labels.to(at::kFloat).view({1, batch, 1});
  cue.narrow(2, 0, p).copy_((1 - is_one).expand({o.cue_steps, batch, p}) * o.rate);
  cue.narrow(2, p, p).copy_(is_one.expand({o.cue_steps, batch, p}) * o.rate);
  rates.narrow(0, b.recall_start, o.recall_steps).narrow(2, 2 * p, p).fill_(o.rate);
  b.inputs = (at::rand(rates.sizes()) < rates).to(at::kFloat);
  return b;
}

StepLoss delayed_cue_loss(const DelayedCueBatch& batch, int64_t recall_steps) {
  const auto start = batch.recall_start;
  const auto labels = batch.labels;
  return [start, labels, recall_steps](int64_t t, const at::Tensor& y) -> at::Tensor {
    if (t < start) {
      return {};
    }
    return torch::nn::functional::cross_entropy(y, labels.to(y.device())) /
           static_cast<double>(recall_steps);
  };
}

double delayed_cue_accuracy(const at::Tensor& outputs, const DelayedCueBatch& batch) {
  const auto recall = outputs.narrow(0, batch.recall_start, outputs.size(0) - batch.recall_start);
  const auto predicted = recall.mean(0).argmax(1);
  return predicted.eq(batch.labels.to(predicted.device())).to(at::kDouble).mean().item<double>();
}

// ---------------------------------------------------------------------------------------------
namespace {

void check_training(const TrainingOptions& o) {
  TORCH_CHECK(o.iterations > 0, "training: option 'iterations' expected > 0, got ", o.iterations);
  TORCH_CHECK(o.lr > 0, "training: option 'lr' expected > 0, got ", o.lr);
  TORCH_CHECK(o.batch > 0, "training: option 'batch' expected > 0, got ", o.batch);
  TORCH_CHECK(o.eval_batch > 0, "training: option 'eval_batch' expected > 0, got ", o.eval_batch);
  TORCH_CHECK(o.log_every >= 0, "training: option 'log_every' expected >= 0, got ", o.log_every);
}

EpropFeedback feedback_of(GradientMethod method) {
  return method == GradientMethod::kEpropRandom ? EpropFeedback::kRandom
                                                : EpropFeedback::kSymmetric;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TrainingResult train_pattern_generation(const RecurrentModelOptions& model_options,
                                        const PatternGenerationTask& task, GradientMethod method,
                                        const TrainingOptions& training) {
  check_training(training);
  torch::manual_seed(training.seed);
  RecurrentModel model(model_options, feedback_of(method));
  torch::optim::Adam adam(model.parameters(), torch::optim::AdamOptions(training.lr));
  const auto targets = task.targets;
  const StepLoss loss = [&targets](int64_t t, const at::Tensor& y) {
    return 0.5 * (y - targets[t]).pow(2).sum();
  };
  TrainingResult result;
  const auto start = std::chrono::steady_clock::now();
  result.initial_metric = normalised_mse(model.forward_no_grad(task.inputs), targets);
  for (int64_t it = 1; it <= training.iterations; ++it) {
    adam.zero_grad();
    const double value = model.accumulate_gradients(method, task.inputs, loss);
    adam.step();
    if (training.log && training.log_every > 0 && it % training.log_every == 0) {
      training.log(it, value, normalised_mse(model.forward_no_grad(task.inputs), targets));
    }
  }
  result.final_metric =
      normalised_mse(model.forward_no_grad(task.inputs, &result.mean_activity), targets);
  result.seconds = seconds_since(start);
  return result;
}

TrainingResult train_delayed_cue(const RecurrentModelOptions& model_options,
                                 const DelayedCueOptions& task, GradientMethod method,
                                 const TrainingOptions& training) {
  check_training(training);
  torch::manual_seed(training.seed);
  RecurrentModel model(model_options, feedback_of(method));
  torch::optim::Adam adam(model.parameters(), torch::optim::AdamOptions(training.lr));
  TrainingResult result;
  const auto start = std::chrono::steady_clock::now();
  const auto evaluate = [&](double* activity) {
    const auto batch = make_delayed_cue(task, training.eval_batch);
    return delayed_cue_accuracy(model.forward_no_grad(batch.inputs, activity), batch);
  };
  result.initial_metric = evaluate(nullptr);
  for (int64_t it = 1; it <= training.iterations; ++it) {
    const auto batch = make_delayed_cue(task, training.batch);
    adam.zero_grad();
    const double value = model.accumulate_gradients(method, batch.inputs,
                                                    delayed_cue_loss(batch, task.recall_steps));
    adam.step();
    if (training.log && training.log_every > 0 && it % training.log_every == 0) {
      training.log(it, value, delayed_cue_accuracy(model.forward_no_grad(batch.inputs), batch));
    }
  }
  result.final_metric = evaluate(&result.mean_activity);
  result.seconds = seconds_since(start);
  return result;
}

int64_t
gradient_memory_bytes(const RecurrentModelOptions& model_options, GradientMethod method,
                      const at::Tensor& x, const StepLoss& loss,
                      const std::function<int64_t(const std::function<void()>&)>& peak_bytes_of) {
  torch::manual_seed(0);
  RecurrentModel model(model_options, feedback_of(method));
  return peak_bytes_of([&] { model.accumulate_gradients(method, x, loss); });
}

} // namespace engram::layers::spiking
