#include <engram/train/continual_trainer.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
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
  at::Tensor c = t.contiguous().to(at::kDouble);
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

} // namespace

std::vector<double> evaluate_tasks(models::NetworkImpl& model, const cl::Strategy& strategy,
                                   const data::Stream& stream, int64_t current_task,
                                   int64_t eval_batch) {
  at::NoGradGuard no_grad;
  model.eval();
  std::vector<double> acc;
  for (const auto& task : stream.tasks()) {
    const int64_t n = task.test.size();
    const at::Tensor active = stream.active_units(task.id, current_task);
    int64_t correct = 0;
    for (int64_t start = 0; start < n; start += eval_batch) {
      const int64_t len = std::min(eval_batch, n - start);
      at::Tensor pos = at::arange(start, start + len, at::kLong);
      at::Tensor ids = at::full({len}, task.id, at::kLong);
      at::Tensor logits = model.forward(task.test.images_at(pos), strategy.context_gates(ids));
      at::Tensor pred = logits.masked_fill(active.logical_not().unsqueeze(0), -1e9).argmax(1);
      correct += pred.eq(task.test.targets_at(pos)).sum().item<int64_t>();
    }
    acc.push_back(n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0);
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
  at::manual_seed(config.seed);
  l.model = make_model();
  l.optimizer = make_optimizer(l.model, config);
  cl::StrategyContext& ctx = l.ctx;
  ctx.model = l.model;
  ctx.optimizer = l.optimizer.get();
  ctx.stream = &stream;
  ctx.batch_size = config.batch_size;
  ctx.generator = at::make_generator<at::CPUGeneratorImpl>(config.seed + 1);
  ctx.forward = [&l, &strategy](const at::Tensor& x, const at::Tensor& task) {
    return l.model->forward(x, strategy.context_gates(task));
  };
  ctx.loss = [&l, &stream](const cl::Batch& b) {
    return masked_cross_entropy(l.ctx.forward(b.x, b.task), b.y,
                                stream.active_mask(b.task, l.ctx.task));
  };
  ctx.make_model = make_model;
}

// Restores weights, optimizer, strategy state, generator and results so far from
// config.checkpoint; returns the number of tasks it had completed.
int64_t load_checkpoint(const TrainerConfig& config, Learner& l, cl::Strategy& strategy,
                        RunResult& result) {
  torch::serialize::InputArchive a;
  a.load_from(config.checkpoint);
  const std::string fp = io::read_string(a, "fingerprint");
  TORCH_CHECK(fp == config.fingerprint, "run_continual: checkpoint '", config.checkpoint,
              "' belongs to another run (", fp, "); expected ", config.fingerprint,
              ". Remove it or drop --resume.");
  const int64_t tasks_completed = io::read_int(a, "tasks_completed");
  torch::serialize::InputArchive m, o, s;
  a.read("model", m);
  l.model->load(m);
  a.read("optimizer", o);
  l.optimizer->load(o);
  a.read("strategy", s);
  strategy.load(s);
  l.ctx.generator.set_state(io::read_tensor(a, "generator"));
  at::Tensor acc = io::read_tensor(a, "accuracy");
  for (int64_t i = 0; i < acc.size(0); ++i)
    result.accuracy.push_back(to_vector(acc[i]));
  result.random_init_accuracy = to_vector(io::read_tensor(a, "random_init_accuracy"));
  result.task_seconds = to_vector(io::read_tensor(a, "task_seconds"));
  result.final_loss = to_vector(io::read_tensor(a, "final_loss"));
  at::Tensor peak; // absent from checkpoints written before it was recorded
  if (a.try_read("peak_rss_mb", peak))
    l.earlier_peak_rss_mb = peak.item<double>();
  return tasks_completed;
}

// Writes everything the rest of the run depends on, atomically, after `tasks_completed` tasks.
void save_checkpoint(const TrainerConfig& config, int64_t tasks_completed, int64_t num_tasks,
                     const Learner& l, const cl::Strategy& strategy, const RunResult& result) {
  torch::serialize::OutputArchive a;
  io::write_string(a, "fingerprint", config.fingerprint);
  io::write_int(a, "tasks_completed", tasks_completed);
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
};

// Iteration `it` on task `t`: a batch (composed by the strategy), forward, loss, backward and
// optimizer step, with the strategy's hooks in between. Returns the loss minimised.
at::Tensor train_iteration(Learner& l, cl::Strategy& strategy, const data::Stream& stream,
                           int64_t t, int64_t it, const TrainerConfig& config) {
  cl::StrategyContext& ctx = l.ctx;
  const data::Task& task = stream.task(t);
  ctx.iteration = it;
  at::Tensor pos = at::randint(task.train.size(), {config.batch_size}, ctx.generator, at::kLong);
  cl::Batch batch{task.train.images_at(pos), task.train.targets_at(pos),
                  at::full({config.batch_size}, t, at::kLong)};
  batch = strategy.compose_batch(ctx, batch);
  if (config.augment_batch)
    batch.x = config.augment_batch(batch.x, ctx.generator);
  l.optimizer->zero_grad();
  at::Tensor logits = ctx.forward(batch.x, batch.task);
  at::Tensor loss = masked_cross_entropy(logits, batch.y, stream.active_mask(batch.task, t));
  loss = strategy.before_backward(ctx, batch, logits, loss);
  loss.backward();
  strategy.after_backward(ctx, batch);
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
  p.eta_s = p.elapsed_s / static_cast<double>(clock.done_iterations) *
            static_cast<double>(clock.total_iterations - clock.done_iterations);
  config.on_progress(p);
}

// Trains task `t` for config.iterations iterations between the strategy's before_task and
// after_task; returns the mean loss over the last 10% of the iterations.
double train_task(Learner& l, cl::Strategy& strategy, const data::Stream& stream, int64_t t,
                  const TrainerConfig& config, ProgressClock& clock) {
  const data::Task& task = stream.task(t);
  l.ctx.task = t;
  l.model->begin_task(t); // task-dependent layers, e.g. BatchNorm statistics frozen after task 0
  strategy.before_task(l.ctx, task);
  double loss_sum = 0;
  int64_t loss_count = 0;
  const int64_t tail_from = config.iterations - std::max<int64_t>(1, config.iterations / 10);
  for (int64_t it = 0; it < config.iterations; ++it) {
    const at::Tensor loss = train_iteration(l, strategy, stream, t, it, config);
    ++clock.done_iterations;
    const bool report = config.on_progress && (it % 10 == 9 || it + 1 == config.iterations);
    if (it >= tail_from || report) {
      const double value = loss.item<double>();
      if (it >= tail_from) {
        loss_sum += value;
        ++loss_count;
      }
      if (report)
        report_progress(config, clock, t, stream.num_tasks(), it, value);
    }
  }
  l.optimizer->zero_grad();
  strategy.after_task(l.ctx, task);
  l.optimizer->zero_grad();
  return loss_count ? loss_sum / static_cast<double>(loss_count) : 0.0;
}

} // namespace

RunResult run_continual(const data::Stream& stream, cl::Strategy& strategy,
                        const std::function<models::Network()>& make_model,
                        const TrainerConfig& config) {
  check_config(stream, strategy, config);
  const auto start = Clock::now();
  const int64_t T = stream.num_tasks();
  Learner l;
  set_up(l, stream, strategy, make_model, config);
  strategy.begin(l.ctx);

  RunResult result;
  result.num_tasks = T;
  int64_t first_task = 0;
  const bool have_checkpoint =
      !config.checkpoint.empty() && std::filesystem::exists(config.checkpoint);
  if (config.resume && have_checkpoint) {
    first_task = load_checkpoint(config, l, strategy, result);
    result.resumed_from = first_task;
  } else {
    result.random_init_accuracy = evaluate_tasks(*l.model, strategy, stream, 0, config.eval_batch);
  }

  ProgressClock clock{start, (T - first_task) * config.iterations, 0};
  for (int64_t t = first_task; t < T; ++t) {
    const auto task_start = Clock::now();
    const double final_loss = train_task(l, strategy, stream, t, config, clock);
    result.task_seconds.push_back(seconds_since(task_start));
    result.final_loss.push_back(final_loss);
    result.accuracy.push_back(evaluate_tasks(*l.model, strategy, stream, t, config.eval_batch));
    if (!config.checkpoint.empty())
      save_checkpoint(config, t + 1, T, l, strategy, result);
    if (config.stop_after_task >= 0 && t >= config.stop_after_task && t + 1 < T)
      break;
  }
  if (result.complete())
    result.metrics = cl::compute_metrics(result.accuracy, result.random_init_accuracy);
  result.total_seconds = 0;
  for (double s : result.task_seconds)
    result.total_seconds += s;
  result.peak_rss_mb = std::max(l.earlier_peak_rss_mb, peak_rss_mb());
  return result;
}

} // namespace engram::train
