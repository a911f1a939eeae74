#include <engram/train/continual_trainer.h>

#include <engram/train/device.h>

#include <engram/io/archive.h>
#include <engram/train/run_fingerprint.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <c10/util/Exception.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <sys/resource.h>

namespace engram::train {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0; // Linux reports KiB
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

at::Tensor masked_cross_entropy(const at::Tensor& logits, const at::Tensor& targets,
                                const at::Tensor& active) {
  at::Tensor masked = logits.masked_fill(active.logical_not(), -1e9);
  return at::nll_loss(at::log_softmax(masked, 1), targets);
}

at::Tensor to_tensor(const std::vector<double>& v) {
  return at::tensor(v, at::TensorOptions().dtype(at::kDouble));
}

std::vector<double> to_vector(const at::Tensor& t) {
  at::Tensor c = t.to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

} // namespace

std::vector<double> evaluate_tasks(models::NetworkImpl& model, const cl::Strategy& strategy,
                                   const data::Stream& stream, int64_t current_task,
                                   int64_t eval_batch, int64_t num_evaluated) {
  at::NoGradGuard no_grad;
  model.eval();
  const auto on = at::TensorOptions().dtype(at::kLong).device(stream.device());
  const int64_t T = stream.num_tasks();
  const int64_t evaluated = num_evaluated < 0 ? T : std::min(num_evaluated, T);
  // Correct answers counted on the device; one copy to the host for all tasks.
  std::vector<at::Tensor> correct;
  for (int64_t t = 0; t < evaluated; ++t) {
    const data::Task& task = stream.task(t);
    const int64_t n = task.test.size();
    const at::Tensor inactive = stream.active_units(task.id, current_task).logical_not();
    at::Tensor count = at::zeros({}, on);
    for (int64_t start = 0; start < n; start += eval_batch) {
      const int64_t len = std::min(eval_batch, n - start);
      at::Tensor pos = at::arange(start, start + len, on);
      at::Tensor ids = at::full({len}, task.id, on);
      const at::Tensor x = task.test.images_at(pos);
      at::Tensor logits = strategy.prediction_scores(model, x, ids);
      if (!logits.defined())
        logits = model.forward(x, strategy.context_gates(ids));
      at::Tensor pred = logits.masked_fill(inactive.unsqueeze(0), -1e9).argmax(1);
      count.add_(pred.eq(task.test.targets_at(pos)).sum());
    }
    correct.push_back(count);
  }
  std::vector<double> acc(static_cast<size_t>(T), std::numeric_limits<double>::quiet_NaN());
  if (evaluated > 0) {
    const at::Tensor counts = at::stack(correct).cpu();
    for (int64_t t = 0; t < evaluated; ++t) {
      const int64_t n = stream.task(t).test.size();
      const int64_t k = counts[t].item<int64_t>();
      acc[static_cast<size_t>(t)] = n > 0 ? static_cast<double>(k) / static_cast<double>(n) : 0.0;
    }
  }
  model.train();
  return acc;
}

namespace {

void check_config(const data::Stream& stream, const cl::Strategy& strategy,
                  const TrainerConfig& config) {
  TORCH_CHECK(config.iterations > 0, "run_continual: argument 'iterations' expected > 0, got ",
              config.iterations);
  TORCH_CHECK(config.batch_size > 0, "run_continual: argument 'batch_size' expected > 0, got ",
              config.batch_size);
  TORCH_CHECK(config.lr > 0, "run_continual: argument 'lr' expected > 0, got ", config.lr);
  TORCH_CHECK(config.eval_during >= 0,
              "run_continual: argument 'eval_during' expected >= 0 (0: off), got ",
              config.eval_during);
  TORCH_CHECK(config.eval_every >= 1, "run_continual: argument 'eval_every' expected >= 1, got ",
              config.eval_every);
  const std::string why = strategy.unsupported_reason(stream.scenario());
  TORCH_CHECK(why.empty(), "run_continual: strategy '", strategy.name(), "' does not apply to ",
              data::to_string(stream.scenario()), "-IL: ", why);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const models::Network& model,
                                                        const TrainerConfig& config) {
  if (config.optimizer == "adam")
    return std::make_unique<torch::optim::Adam>(
        model->parameters(), torch::optim::AdamOptions(config.lr).betas({0.9, 0.999}));
  TORCH_CHECK(config.optimizer == "sgd",
              "run_continual: argument 'optimizer' expected adam or sgd, got '", config.optimizer,
              "'");
  return std::make_unique<torch::optim::SGD>(model->parameters(),
                                             torch::optim::SGDOptions(config.lr));
}

// What a run trains, and what its checkpoints hold besides the results. Lives in run_continual's
// frame: the context's functions refer to it.
struct Learner {
  models::Network model{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  cl::StrategyContext ctx;
  double earlier_peak_rss_mb = 0; // of the processes that trained the checkpoint's tasks
};

// The model (initialised from the seed), its optimizer and the strategy's view of the run.
void set_up(Learner& l, const data::Stream& stream, cl::Strategy& strategy,
            const std::function<models::Network()>& make_model, const TrainerConfig& config) {
  // Initialised on the CPU from the seed whatever the device, so every device starts from the
  // same weights.
  at::manual_seed(config.seed);
  l.model = make_model();
  l.model->to(config.device);
  l.optimizer = make_optimizer(l.model, config);
  cl::StrategyContext& ctx = l.ctx;
  ctx.model = l.model;
  ctx.optimizer = l.optimizer.get();
  ctx.stream = &stream;
  ctx.device = config.device;
  ctx.batch_size = config.batch_size;
  // The sampling generator is a CPU one on every device: a run draws the same batches wherever it
  // trains, and its state resumes on any device.
  ctx.generator = at::make_generator<at::CPUGeneratorImpl>(config.seed + 1);
  ctx.forward = [&l, &strategy](const at::Tensor& x, const at::Tensor& task) {
    return l.model->forward(x, strategy.context_gates(task));
  };
  ctx.loss = [&l, &stream](const cl::Batch& b) {
    return masked_cross_entropy(l.ctx.forward(b.x, b.task), b.y,
                                stream.active_mask(b.task, l.ctx.task));
  };
  const c10::Device device = config.device;
  ctx.make_model = [make_model, device] {
    models::Network m = make_model();
    m->to(device);
    return m;
  };
}

// Restores weights, optimizer, strategy state, generator and results so far from
// config.checkpoint; returns the number of tasks it had completed.
int64_t load_checkpoint(const TrainerConfig& config, Learner& l, cl::Strategy& strategy,
                        RunResult& result) {
  // Every tensor is mapped to this run's device as it is read, whatever device wrote it.
  torch::serialize::InputArchive a;
  io::load_archive(a, config.checkpoint, config.device); // verifies the checksum first
  std::string fp;
  try {
    fp = io::read_string(a, "fingerprint");
  } catch (const std::exception& e) {
    TORCH_CHECK(false, "checkpoint '", config.checkpoint, "' is corrupt: ", io::first_line(e));
  }
  // Fingerprints made by RunFingerprint are compared field by field; any other text as a whole.
  std::string difference;
  if (is_field_fingerprint(fp) && is_field_fingerprint(config.fingerprint))
    difference = RunFingerprint::parse(fp, "checkpoint '" + config.checkpoint + "'")
                     .difference_from(RunFingerprint::parse(config.fingerprint, "this run"));
  else if (fp != config.fingerprint)
    difference = "its fingerprint is '" + fp + "', this run's '" + config.fingerprint + "'";
  TORCH_CHECK(difference.empty(), "run_continual: checkpoint '", config.checkpoint,
              "' belongs to another run: ", difference, ". Remove it or drop --resume.");
  try {
    const int64_t tasks_completed = io::read_int(a, "tasks_completed");
    torch::serialize::InputArchive m, o, s;
    a.read("model", m);
    l.model->load(m);
    a.read("optimizer", o);
    l.optimizer->load(o);
    a.read("strategy", s);
    strategy.load(s);
    l.model->to(config.device);
    c10::IValue saved_device; // absent from checkpoints written before devices: those were cpu
    result.checkpoint_device = a.try_read("device", saved_device) && saved_device.isString()
                                   ? saved_device.toStringRef()
                                   : std::string("cpu");
    result.resumed_on_other_device = result.checkpoint_device != device_name(config.device);
    l.ctx.generator.set_state(io::read_tensor(a, "generator").cpu());
    at::Tensor acc = io::read_tensor(a, "accuracy");
    TORCH_CHECK(tasks_completed >= 1 && tasks_completed <= result.num_tasks, "it records ",
                tasks_completed, " completed tasks of ", result.num_tasks);
    TORCH_CHECK(acc.dim() == 2 && acc.size(0) == tasks_completed && acc.size(1) == result.num_tasks,
                "its accuracy matrix has shape ", acc.sizes(), ", expected [", tasks_completed,
                ", ", result.num_tasks, "]");
    for (int64_t i = 0; i < acc.size(0); ++i)
      result.accuracy.push_back(to_vector(acc[i]));
    result.random_init_accuracy = to_vector(io::read_tensor(a, "random_init_accuracy"));
    result.task_seconds = to_vector(io::read_tensor(a, "task_seconds"));
    result.final_loss = to_vector(io::read_tensor(a, "final_loss"));
    const auto done = static_cast<size_t>(tasks_completed);
    TORCH_CHECK(result.random_init_accuracy.size() == static_cast<size_t>(result.num_tasks) &&
                    result.task_seconds.size() == done && result.final_loss.size() == done,
                "its per-task records have the wrong lengths");
    at::Tensor peak; // absent from checkpoints written before it was recorded
    if (a.try_read("peak_rss_mb", peak))
      l.earlier_peak_rss_mb = peak.cpu().item<double>();
    return tasks_completed;
  } catch (const std::exception& e) {
    TORCH_CHECK(
        false, "checkpoint '", config.checkpoint,
        "' does not fit this run (corrupt, or written by another version): ", io::first_line(e));
  }
}

// Writes everything the rest of the run depends on, atomically, after `tasks_completed` tasks.
void save_checkpoint(const TrainerConfig& config, int64_t tasks_completed, int64_t num_tasks,
                     const Learner& l, const cl::Strategy& strategy, const RunResult& result) {
  torch::serialize::OutputArchive a;
  io::write_string(a, "fingerprint", config.fingerprint);
  io::write_int(a, "tasks_completed", tasks_completed);
  io::write_string(a, "device", device_name(config.device));
  torch::serialize::OutputArchive m, o, s;
  l.model->save(m);
  a.write("model", m);
  l.optimizer->save(o);
  a.write("optimizer", o);
  strategy.save(s);
  a.write("strategy", s);
  io::write_tensor(a, "generator", l.ctx.generator.get_state());
  at::Tensor acc = at::empty({tasks_completed, num_tasks}, at::kDouble);
  for (int64_t i = 0; i < tasks_completed; ++i)
    acc[i].copy_(to_tensor(result.accuracy[static_cast<size_t>(i)]));
  io::write_tensor(a, "accuracy", acc);
  io::write_tensor(a, "random_init_accuracy", to_tensor(result.random_init_accuracy));
  io::write_tensor(a, "task_seconds", to_tensor(result.task_seconds));
  io::write_tensor(a, "final_loss", to_tensor(result.final_loss));
  io::write_tensor(a, "peak_rss_mb",
                   at::scalar_tensor(std::max(l.earlier_peak_rss_mb, peak_rss_mb()), at::kDouble));
  io::save_archive(a, config.checkpoint);
}

// Iterations done by this process, for the progress callback's elapsed time and ETA.
struct ProgressClock {
  Clock::time_point start;
  int64_t total_iterations = 0;
  int64_t done_iterations = 0;
  double eval_seconds = 0;     // spent evaluating so far
  int64_t eval_cells_done = 0; // accuracy-matrix cells evaluated so far
  int64_t eval_cells_left = 0; // still to evaluate
};

// Iteration `it` on task `t`: a batch (composed by the strategy), forward, loss, backward and
// optimizer step, with the strategy's hooks in between. Returns the loss minimised.
at::Tensor train_iteration(Learner& l, cl::Strategy& strategy, const data::Stream& stream,
                           int64_t t, int64_t it, const TrainerConfig& config) {
  cl::StrategyContext& ctx = l.ctx;
  const data::Task& task = stream.task(t);
  ctx.iteration = it;
  // Indices drawn by the CPU generator and sent to the device without waiting for it; the batch
  // is gathered there from the device-resident data.
  const at::Tensor pos =
      ctx.to_device(at::randint(task.train.size(), {config.batch_size}, ctx.generator, at::kLong));
  cl::Batch batch{task.train.images_at(pos), task.train.targets_at(pos),
                  at::full({config.batch_size}, t, pos.options())};
  batch = strategy.compose_batch(ctx, batch);
  if (config.augment_batch)
    batch.x = config.augment_batch(batch.x, ctx.generator);
  l.optimizer->zero_grad();
  at::Tensor logits = ctx.forward(batch.x, batch.task);
  const at::Tensor active = stream.active_mask(batch.task, t);
  const at::Tensor task_loss = masked_cross_entropy(logits, batch.y, active);
  at::Tensor loss = strategy.before_backward(ctx, batch, logits, task_loss);
  if (config.model_gradient) {
    // The task loss's gradient from the model-level rule; the strategy's own term by autograd.
    TORCH_CHECK(strategy.context_gates(batch.task).empty(), "run_continual: strategy '",
                strategy.name(), "' gates hidden units; a model-level learning rule sees none");
    const at::Tensor y = batch.y;
    config.model_gradient(*l.model, batch.x, [&active, &y](const at::Tensor& z) {
      return masked_cross_entropy(z, y, active);
    });
    if (!loss.is_same(task_loss)) {
      const at::Tensor extra = loss - task_loss;
      if (extra.requires_grad())
        extra.backward();
    }
  } else {
    loss.backward();
  }
  strategy.after_backward(ctx, batch);
  if (config.batch_manhattan) { // the update: the sign of the batch's gradient
    at::NoGradGuard no_grad;
    for (auto& p : l.model->parameters())
      if (p.grad().defined())
        p.mutable_grad().sign_();
  }
  l.optimizer->step();
  strategy.after_step(ctx, batch);
  return loss;
}

void report_progress(const TrainerConfig& config, const ProgressClock& clock, int64_t t,
                     int64_t num_tasks, int64_t it, double loss) {
  Progress p;
  p.task = t;
  p.num_tasks = num_tasks;
  p.iteration = it + 1;
  p.iterations = config.iterations;
  p.loss = loss;
  p.elapsed_s = seconds_since(clock.start);
  if (clock.eval_cells_done > 0)
    p.eval_eta_s = clock.eval_seconds / static_cast<double>(clock.eval_cells_done) *
                   static_cast<double>(clock.eval_cells_left);
  const double training_s = std::max(0.0, p.elapsed_s - clock.eval_seconds);
  p.eta_s = training_s / static_cast<double>(clock.done_iterations) *
                static_cast<double>(clock.total_iterations - clock.done_iterations) +
            p.eval_eta_s;
  config.on_progress(p);
}

// Trains task `t` for config.iterations iterations between the strategy's before_task and
// after_task; returns the mean loss over the last 10% of the iterations. The losses are summed on
// the device: the loop waits for the device only where progress is reported, and once at the end.
double train_task(Learner& l, cl::Strategy& strategy, const data::Stream& stream, int64_t t,
                  const TrainerConfig& config, ProgressClock& clock, RunResult& result,
                  double& eval_during_seconds) {
  const data::Task& task = stream.task(t);
  l.ctx.task = t;
  l.model->begin_task(t); // task-dependent layers, e.g. BatchNorm statistics frozen after task 0
  strategy.before_task(l.ctx, task);
  // Summed in double, in iteration order: the same number as summing the host values.
  at::Tensor loss_sum = at::zeros({}, at::TensorOptions().dtype(at::kDouble).device(l.ctx.device));
  int64_t loss_count = 0;
  const int64_t tail_from = config.iterations - std::max<int64_t>(1, config.iterations / 10);
  for (int64_t it = 0; it < config.iterations; ++it) {
    const at::Tensor loss = train_iteration(l, strategy, stream, t, it, config);
    ++clock.done_iterations;
    if (it >= tail_from) {
      loss_sum.add_(loss.detach().to(at::kDouble));
      ++loss_count;
    }
    if (config.on_progress && (it % 10 == 9 || it + 1 == config.iterations))
      report_progress(config, clock, t, stream.num_tasks(), it, loss.item<double>());
    if (config.eval_during > 0 && (it + 1) % config.eval_during == 0) {
      const auto eval_start = Clock::now();
      std::vector<double> acc =
          evaluate_tasks(*l.model, strategy, stream, t, config.eval_batch, t + 1);
      acc.resize(static_cast<size_t>(t + 1));
      result.eval_during.push_back(EvalDuringPoint{t, it + 1, std::move(acc)});
      const double s = seconds_since(eval_start);
      eval_during_seconds += s;
      clock.eval_seconds += s;
    }
  }
  l.optimizer->zero_grad();
  strategy.after_task(l.ctx, task);
  l.optimizer->zero_grad();
  return loss_count ? loss_sum.item<double>() / static_cast<double>(loss_count) : 0.0;
}

} // namespace

RunResult run_continual(const data::Stream& stream_given, cl::Strategy& strategy,
                        const std::function<models::Network()>& make_model,
                        const TrainerConfig& config) {
  check_config(stream_given, strategy, config);
  const auto start = Clock::now();
  // The data go to the device once; everything below reads them there.
  const data::Stream stream = stream_given.to(config.device);
  const int64_t T = stream.num_tasks();
  Learner l;
  set_up(l, stream, strategy, make_model, config);
  strategy.begin(l.ctx);

  RunResult result;
  result.num_tasks = T;
  result.device = device_name(config.device);
  int64_t first_task = 0;
  double init_eval_seconds = 0;
  const bool have_checkpoint =
      !config.checkpoint.empty() && std::filesystem::exists(config.checkpoint);
  if (config.resume && have_checkpoint) {
    first_task = load_checkpoint(config, l, strategy, result);
    result.resumed_from = first_task;
  } else {
    const auto eval_start = Clock::now();
    result.random_init_accuracy = evaluate_tasks(*l.model, strategy, stream, 0, config.eval_batch);
    init_eval_seconds = seconds_since(eval_start);
  }

  ProgressClock clock{start, (T - first_task) * config.iterations, 0};
  clock.eval_seconds = init_eval_seconds; // the random-initialisation row: T cells
  clock.eval_cells_done = init_eval_seconds > 0 ? T : 0;
  // Which rows are evaluated, and how many cells each holds: the evaluation cost the progress
  // display estimates from the seconds per cell measured so far.
  const auto evaluated_after = [&](int64_t t) -> int64_t {
    if ((t + 1) % config.eval_every != 0 && t + 1 != T)
      return 0;
    return config.eval_seen_only ? std::min(t + 2, T) : T;
  };
  for (int64_t t = first_task; t < T; ++t)
    clock.eval_cells_left += evaluated_after(t);
  for (int64_t t = first_task; t < T; ++t) {
    const auto task_start = Clock::now();
    double eval_during_seconds = 0;
    const double final_loss =
        train_task(l, strategy, stream, t, config, clock, result, eval_during_seconds);
    result.task_seconds.push_back(std::max(0.0, seconds_since(task_start) - eval_during_seconds));
    result.final_loss.push_back(final_loss);
    const auto eval_start = Clock::now();
    const int64_t cells = evaluated_after(t);
    result.accuracy.push_back(
        cells > 0 ? evaluate_tasks(*l.model, strategy, stream, t, config.eval_batch, cells)
                  : std::vector<double>(static_cast<size_t>(T),
                                        std::numeric_limits<double>::quiet_NaN()));
    clock.eval_seconds += seconds_since(eval_start);
    clock.eval_cells_done += cells;
    clock.eval_cells_left -= cells;
    if (!config.checkpoint.empty())
      save_checkpoint(config, t + 1, T, l, strategy, result);
    if (config.stop_after_task >= 0 && t >= config.stop_after_task && t + 1 < T)
      break;
  }
  if (result.complete())
    result.metrics = cl::compute_metrics(result.accuracy, result.random_init_accuracy,
                                         stream.scenario() == data::Scenario::kClass);
  result.total_seconds = 0;
  for (double s : result.task_seconds)
    result.total_seconds += s;
  result.peak_rss_mb = std::max(l.earlier_peak_rss_mb, peak_rss_mb());
  return result;
}

} // namespace engram::train
