// The strategies' named variants against hand and brute-force computations: LwF's class-IL
// distillation (van de Ven's and Avalanche's), the exact / argmax / empirical Fisher, EWC's
// consolidated penalty, online EWC's gamma, A-GEM's memory budgets and replay's weighting and
// duplicate-free buffer.

#include "cl_test_util.h"
#include <support/error_message.h>

#include <engram/cl/agem.h>
#include <engram/cl/ewc.h>
#include <engram/cl/fisher.h>
#include <engram/cl/lwf.h>
#include <engram/cl/online_ewc.h>
#include <engram/cl/replay.h>
#include <engram/cl/reservoir_buffer.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/normalization.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <cmath>
#include <sstream>

namespace engram {
namespace {

// Four classes of the synthetic dataset in two class-IL tasks (units 0,1 then 2,3).
data::Stream split_stream(int64_t num_tasks = 2, int64_t classes = 4) {
  data::SyntheticDatasetOptions o;
  o.num_classes = classes;
  o.rows = 4;
  o.cols = 4;
  o.train_per_class = 40;
  o.test_per_class = 10;
  o.seed = 1;
  return data::make_split_stream(data::make_synthetic_dataset(o), data::Scenario::kClass,
                                 {num_tasks, false, 0});
}

// A StrategyContext over `stream` for a small MLP, as the trainer builds one (CPU).
struct Fixture {
  explicit Fixture(const data::Stream& s) : stream(s) {
    at::set_num_threads(1);
    preset = testing::small_mlp_preset(8);
    model = models::build_network(preset, stream.input_dim(), stream.num_outputs());
    ctx.model = model;
    ctx.stream = &stream;
    ctx.generator = at::make_generator<at::CPUGeneratorImpl>(7);
    ctx.forward = [this](const at::Tensor& x, const at::Tensor&) { return model->forward(x); };
    ctx.make_model = [this] {
      return models::build_network(preset, stream.input_dim(), stream.num_outputs());
    };
  }
  const data::Stream& stream;
  models::Preset preset;
  models::Network model{nullptr};
  cl::StrategyContext ctx;
};

double logsumexp(const std::vector<double>& v) {
  double m = -1e300;
  for (double x : v)
    m = std::max(m, x);
  double s = 0;
  for (double x : v)
    s += std::exp(x - m);
  return m + std::log(s);
}

// The class-IL distillation term by hand: the teacher's softmax over `teacher_units`, the student's
// log-softmax over `student_units`, T^2 * mean over samples.
double hand_distillation(const at::Tensor& student, const at::Tensor& teacher,
                         const std::vector<int64_t>& student_units,
                         const std::vector<int64_t>& teacher_units, double T) {
  const at::Tensor s = student.to(at::kDouble), t = teacher.to(at::kDouble);
  double total = 0;
  for (int64_t b = 0; b < s.size(0); ++b) {
    std::vector<double> zs, zt;
    for (int64_t k : student_units)
      zs.push_back(s[b][k].item<double>() / T);
    for (int64_t k : teacher_units)
      zt.push_back(t[b][k].item<double>() / T);
    const double ls = logsumexp(zs), lt = logsumexp(zt);
    for (size_t i = 0; i < teacher_units.size(); ++i) {
      const double target = std::exp(zt[i] - lt);
      const double logp = s[b][teacher_units[i]].item<double>() / T - ls;
      total -= target * logp;
    }
  }
  return total / static_cast<double>(s.size(0)) * T * T;
}

TEST(LwfClassIl, DistillationLossMatchesAHandComputation) {
  const at::Tensor student =
      at::tensor({0.3, -1.2, 2.0, 0.5, 1.1, 0.0, -0.4, 0.9}, at::kDouble).view({2, 4});
  const at::Tensor teacher =
      at::tensor({1.0, 0.2, -3.0, 0.7, -0.5, 1.5, 0.3, 0.1}, at::kDouble).view({2, 4});
  const at::Tensor old_units =
      at::tensor({1, 1, 0, 0}, at::kLong).to(at::kBool).view({1, 4}).expand({2, 4});
  const at::Tensor all_units = at::ones({2, 4}, at::kBool);
  const double T = 2;
  // van de Ven: student over all four units, teacher over the old two (zero-padded).
  EXPECT_NEAR(cl::distillation_loss(student, teacher, all_units, old_units, T).item<double>(),
              hand_distillation(student, teacher, {0, 1, 2, 3}, {0, 1}, T), 1e-12);
  // Avalanche: both over the old units.
  EXPECT_NEAR(cl::distillation_loss(student, teacher, old_units, T).item<double>(),
              hand_distillation(student, teacher, {0, 1}, {0, 1}, T), 1e-12);
  // The two differ: the new units take probability away from the old ones in van de Ven's form.
  EXPECT_GT(cl::distillation_loss(student, teacher, all_units, old_units, T).item<double>(),
            cl::distillation_loss(student, teacher, old_units, T).item<double>() + 0.1);
}

// Through the strategy: at task 1 of a class-IL stream the loss is 1/2 CE + 1/2 distillation, over
// the units each variant names.
TEST(LwfClassIl, StrategyDistilsOverTheUnitsOfItsVariant) {
  const data::Stream stream = split_stream();
  for (const std::string variant : {"vandeven", "avalanche"}) {
    Fixture f(stream);
    cl::LwfStrategy lwf(cl::LwfOptions().temperature(2).variant(variant));
    f.ctx.task = 1;
    lwf.before_task(f.ctx, stream.task(1)); // the teacher: a copy of the current model
    const at::Tensor x = stream.task(1).train.images_at(at::arange(5, at::kLong));
    const cl::Batch batch{x, at::full({5}, 2, at::kLong), at::ones({5}, at::kLong)};
    const at::Tensor logits = f.model->forward(x);
    const at::Tensor teacher = logits.detach(); // the teacher equals the student at the switch
    const double got =
        lwf.before_backward(f.ctx, batch, logits, at::zeros({}, at::kFloat)).item<double>();
    const std::vector<int64_t> student_units =
        variant == "vandeven" ? std::vector<int64_t>{0, 1, 2, 3} : std::vector<int64_t>{0, 1};
    EXPECT_NEAR(got, 0.5 * hand_distillation(logits.detach(), teacher, student_units, {0, 1}, 2),
                1e-5)
        << variant;
  }
}

// reduction=mean (van de Ven's code before May 2019) divides the distillation term by the number
// of student units: 4 at task 1 of the vandeven variant.
TEST(LwfClassIl, MeanReductionDividesTheDistillationByTheStudentsUnits) {
  const data::Stream stream = split_stream();
  Fixture f(stream);
  cl::LwfStrategy lwf(cl::LwfOptions().temperature(2).reduction("mean"));
  f.ctx.task = 1;
  lwf.before_task(f.ctx, stream.task(1));
  const at::Tensor x = stream.task(1).train.images_at(at::arange(5, at::kLong));
  const cl::Batch batch{x, at::full({5}, 2, at::kLong), at::ones({5}, at::kLong)};
  const at::Tensor logits = f.model->forward(x);
  const double got =
      lwf.before_backward(f.ctx, batch, logits, at::zeros({}, at::kFloat)).item<double>();
  EXPECT_NEAR(
      got, 0.5 * hand_distillation(logits.detach(), logits.detach(), {0, 1, 2, 3}, {0, 1}, 2) / 4,
      1e-5);
}

// A tiny double-precision network: a linear layer (batched path), tanh, a layer norm (a layer
// with parameters that is not linear: the per-sample path) and the linear head.
models::Network fisher_network() {
  at::set_num_threads(1); // tiny tensors: threads only add contention
  torch::manual_seed(3);
  std::vector<models::NetworkLayer> body;
  body.emplace_back("linear", torch::nn::AnyModule(torch::nn::Linear(5, 6)), 6, false);
  body.emplace_back("tanh", torch::nn::AnyModule(torch::nn::Tanh()), 6, false);
  body.emplace_back("layernorm",
                    torch::nn::AnyModule(torch::nn::LayerNorm(torch::nn::LayerNormOptions({6}))), 6,
                    false);
  models::Network net(std::move(body), int64_t{5}, int64_t{4});
  net->to(at::kDouble);
  net->eval();
  // Non-trivial layer-norm parameters, so their gradients are not all alike.
  at::NoGradGuard no_grad;
  for (auto& p : net->parameters())
    p.add_(at::randn(p.sizes(), at::kDouble) * 0.3);
  return net;
}

// Brute force: each sample alone, each label alone, the squared gradient weighted as `labels` says.
std::vector<at::Tensor> brute_force_fisher(models::NetworkImpl& net, const at::Tensor& x,
                                           const at::Tensor& y, const at::Tensor& mask,
                                           const std::string& labels) {
  const auto params = net.parameters();
  std::vector<at::Tensor> fisher;
  for (const auto& p : params)
    fisher.push_back(at::zeros_like(p).detach());
  for (int64_t b = 0; b < x.size(0); ++b) {
    const at::Tensor logits =
        net.forward(x.narrow(0, b, 1)).masked_fill(mask.narrow(0, b, 1).logical_not(), -1e9);
    const at::Tensor logp = at::log_softmax(logits, 1);
    std::vector<std::pair<int64_t, double>> terms; // label, weight
    if (labels == "exact") {
      for (int64_t c = 0; c < logits.size(1); ++c)
        if (mask[b][c].item<bool>())
          terms.emplace_back(c, std::exp(logp[0][c].item<double>()));
    } else if (labels == "argmax") {
      terms.emplace_back(logp.argmax(1).item<int64_t>(), 1.0);
    } else {
      terms.emplace_back(y[b].item<int64_t>(), 1.0);
    }
    for (const auto& [c, w] : terms) {
      const auto grads =
          torch::autograd::grad({-logp[0][c]}, params, {}, /*retain_graph=*/true, false, true);
      for (size_t k = 0; k < params.size(); ++k)
        if (grads[k].defined())
          fisher[k] += w * grads[k].square();
    }
  }
  return fisher;
}

TEST(Fisher, ExactArgmaxAndEmpiricalMatchABruteForceComputationInFloat64) {
  auto net = fisher_network();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  const at::Tensor x = at::randn({7, 5}, gen, at::kDouble);
  const at::Tensor y = at::tensor({0, 1, 2, 0, 1, 2, 1}, at::kLong);
  at::Tensor mask = at::ones({7, 4}, at::kBool);
  mask.select(1, 3).fill_(false);                 // a unit inactive for every sample
  mask.narrow(0, 4, 3).select(1, 2).fill_(false); // one inactive for some
  const at::Tensor tasks = at::zeros({7}, at::kLong);
  const auto forward = [&](const at::Tensor& in, const at::Tensor&) { return net->forward(in); };
  for (const std::string labels : {"exact", "argmax", "empirical"}) {
    const auto expected = brute_force_fisher(*net, x, y, mask, labels);
    for (const bool batched : {true, false}) {
      const auto got = cl::fisher_sum(*net, forward, x, tasks, y, mask,
                                      cl::FisherOptions().labels(labels).eval_mode(batched), gen);
      ASSERT_EQ(got.size(), expected.size());
      for (size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(got[k].scalar_type(), at::kDouble);
        EXPECT_TRUE(at::allclose(got[k], expected[k], 1e-10, 1e-13))
            << labels << (batched ? " batched" : " per-sample") << " parameter " << k << "\n"
            << (got[k] - expected[k]).abs().max();
        EXPECT_GT(expected[k].abs().sum().item<double>(), 0) << "a parameter with no Fisher";
      }
    }
  }
  // The exact Fisher is not the argmax one on this network (the model is not certain).
  const auto exact = brute_force_fisher(*net, x, y, mask, "exact");
  const auto argmax = brute_force_fisher(*net, x, y, mask, "argmax");
  EXPECT_FALSE(at::allclose(exact[0], argmax[0], 1e-3, 0));
}

// "sampled" averages to the exact Fisher: one draw per sample, many samples of the same input.
TEST(Fisher, SampledLabelsAverageToTheExactFisher) {
  auto net = fisher_network();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const at::Tensor x = at::randn({1, 5}, gen, at::kDouble).expand({2000, 5}).contiguous();
  const at::Tensor y = at::zeros({2000}, at::kLong), tasks = y;
  const at::Tensor mask = at::ones({2000, 4}, at::kBool);
  const auto forward = [&](const at::Tensor& in, const at::Tensor&) { return net->forward(in); };
  const auto sampled =
      cl::fisher_sum(*net, forward, x, tasks, y, mask, cl::FisherOptions().labels("sampled"), gen);
  const auto exact =
      cl::fisher_sum(*net, forward, x, tasks, y, mask, cl::FisherOptions().labels("exact"), gen);
  const at::Tensor s = sampled.back(), e = exact.back(); // the head's bias
  EXPECT_LT(((s - e).abs().sum() / e.abs().sum()).item<double>(), 0.1);
}

TEST(Fisher, DiagonalFisherRestoresTheModelsModeAndAverages) {
  const data::Stream stream = split_stream();
  Fixture f(stream);
  f.model->train();
  const auto fisher = cl::diagonal_fisher(
      f.ctx, stream.task(0), cl::FisherOptions().samples(1000).batch_size(7).labels("empirical"));
  EXPECT_TRUE(f.model->is_training());
  // All 80 training samples, in batches of 7: the mean over them, as one batch would give.
  const auto& task = stream.task(0);
  const at::Tensor pos = at::arange(task.train.size(), at::kLong);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(0);
  f.model->eval();
  const auto whole =
      cl::fisher_sum(*f.model, f.ctx.forward, task.train.images_at(pos), at::zeros({80}, at::kLong),
                     task.train.targets_at(pos), stream.active_mask(at::zeros({80}, at::kLong), 0),
                     cl::FisherOptions().labels("empirical"), gen);
  for (size_t k = 0; k < fisher.size(); ++k)
    EXPECT_TRUE(at::allclose(fisher[k], whole[k] / 80.0, 1e-4, 1e-9)) << k;
}

// EWC keeps one consolidated quadratic: adding tasks one at a time gives the same penalty (value
// and gradient) as the sum of every task's, and the state does not grow with the tasks.
TEST(EwcConsolidated, IncrementalPenaltyEqualsTheSumOfTheTasks) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
  std::vector<std::vector<at::Tensor>> fishers, anchors;
  cl::ConsolidatedPenalty running;
  for (int k = 0; k < 4; ++k) {
    fishers.push_back({at::rand({3, 2}, gen, at::kDouble), at::rand({5}, gen, at::kDouble)});
    anchors.push_back({at::randn({3, 2}, gen, at::kDouble), at::randn({5}, gen, at::kDouble)});
    running = cl::add_penalty(running, fishers.back(), anchors.back());
    EXPECT_EQ(running.weights.size(), 2u);
  }
  std::vector<at::Tensor> theta{at::randn({3, 2}, gen, at::kDouble).requires_grad_(),
                                at::randn({5}, gen, at::kDouble).requires_grad_()};
  at::Tensor direct = at::zeros({}, at::kDouble);
  for (size_t k = 0; k < fishers.size(); ++k)
    direct = direct + cl::quadratic_penalty(theta, fishers[k], anchors[k]);
  const at::Tensor consolidated =
      cl::quadratic_penalty(theta, running.weights, running.anchors) + running.offset;
  EXPECT_NEAR(consolidated.item<double>(), direct.item<double>(), 1e-10);
  const auto g1 = torch::autograd::grad({direct}, theta, {}, true);
  const auto g2 = torch::autograd::grad({consolidated}, theta);
  for (size_t i = 0; i < theta.size(); ++i)
    EXPECT_TRUE(at::allclose(g1[i], g2[i], 1e-10, 1e-12));
}

TEST(EwcConsolidated, StateIsOnePenaltyWhateverTheTasksAndSurvivesACheckpoint) {
  const data::Stream stream = split_stream(2);
  Fixture f(stream);
  cl::EwcStrategy ewc(cl::EwcOptions().fisher_samples(20));
  for (int k = 0; k < 3; ++k)
    ewc.after_task(f.ctx, stream.task(k % 2));
  EXPECT_EQ(ewc.consolidated_tasks(), 3);
  EXPECT_EQ(ewc.penalty().weights.size(), f.model->parameters().size());
  torch::serialize::OutputArchive out;
  ewc.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  std::istringstream read(bytes.str());
  in.load_from(read);
  cl::EwcStrategy loaded;
  loaded.load(in);
  EXPECT_EQ(loaded.consolidated_tasks(), 3);
  EXPECT_DOUBLE_EQ(loaded.penalty().offset, ewc.penalty().offset);
  for (size_t k = 0; k < ewc.penalty().weights.size(); ++k)
    EXPECT_TRUE(at::equal(loaded.penalty().anchors[k], ewc.penalty().anchors[k]));
  // No per-task Fisher is written.
  at::Tensor probe;
  EXPECT_FALSE(in.try_read("ewc.fisher.0", probe));
}

// Online EWC: gamma inside the penalty (van de Ven) or only in the running Fisher (Schwarz).
TEST(OnlineEwcGamma, VariantsPlaceGammaAsTheirReferences) {
  const data::Stream stream = split_stream();
  for (const std::string variant : {"vandeven", "schwarz"}) {
    Fixture f(stream);
    cl::OnlineEwcStrategy s(
        cl::OnlineEwcOptions().lambda(3).gamma(0.5).variant(variant).fisher_samples(80));
    s.after_task(f.ctx, stream.task(0));
    const auto first = s.fisher();
    s.after_task(f.ctx, stream.task(1));
    {
      at::NoGradGuard no_grad;
      for (auto& p : f.model->parameters())
        p.add_(0.1);
    }
    double by_hand = 0;
    const auto params = f.model->parameters();
    for (size_t k = 0; k < params.size(); ++k)
      by_hand += (s.fisher()[k] * (params[k] - s.anchor()[k]).square()).sum().item<double>();
    by_hand *= 0.5 * 3 * (variant == "vandeven" ? 0.5 : 1.0);
    const double got =
        s.before_backward(f.ctx, cl::Batch{}, at::Tensor(), at::zeros({})).item<double>();
    EXPECT_NEAR(got, by_hand, 1e-4 * std::abs(by_hand)) << variant;
    EXPECT_GT(by_hand, 0);
    // One Fisher, decayed: F = gamma * F_0 + F_1 >= gamma * F_0.
    EXPECT_EQ(s.fisher().size(), params.size());
    EXPECT_TRUE((s.fisher()[0] - 0.5 * first[0]).min().item<double>() >= -1e-9);
  }
}

// A-GEM's budgets: buffer_size / T per task (per-task), buffer_size / (T k) per class (per-class).
TEST(AgemBudget, PerTaskAndPerClassShares) {
  const data::Stream stream = split_stream(3, 6); // 3 tasks of 2 classes, 40 samples per class
  for (const std::string budget : {"per-task", "per-class"}) {
    Fixture f(stream);
    cl::AgemStrategy agem(cl::AgemOptions().buffer_size(66).budget(budget));
    for (int64_t t = 0; t < 3; ++t)
      agem.after_task(f.ctx, stream.task(t));
    const cl::Batch& m = agem.memory();
    EXPECT_LE(agem.memory_size(), 66);
    for (int64_t t = 0; t < 3; ++t)
      EXPECT_EQ(m.task.eq(t).sum().item<int64_t>(), 22) // 66 / 3, or 2 classes x 11
          << budget;
    if (budget == "per-class") {
      for (int64_t c = 0; c < 6; ++c)
        EXPECT_EQ(m.y.eq(c).sum().item<int64_t>(), 11) << "class " << c; // 66 / (3 * 2)
    } else {
      // Drawn uniformly from the task, not class-balanced: some task's classes differ in count.
      bool unbalanced = false;
      for (int64_t c = 0; c < 6; c += 2)
        unbalanced = unbalanced || m.y.eq(c).sum().item<int64_t>() != 11;
      EXPECT_TRUE(unbalanced);
    }
  }
}

TEST(AgemBudget, PerClassShareIsCappedByTheSamplesThereAre) {
  const data::Stream stream = split_stream(2, 4);
  Fixture f(stream);
  cl::AgemStrategy agem(cl::AgemOptions().buffer_size(1000).budget("per-class"));
  agem.after_task(f.ctx, stream.task(0));
  EXPECT_EQ(agem.memory_size(), 80); // 1000 / (2 * 2) = 250 per class, 40 available
}

TEST(ReservoirBufferDuplicates, TheSameSampleIsNeverStoredTwice) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const at::Tensor x = at::randn({10, 6}, gen, at::kFloat);
  // Rows 0..9 plus a repeat of rows 0..4 inside the same batch.
  const at::Tensor rows = at::cat({at::arange(10, at::kLong), at::arange(5, at::kLong)});
  const cl::Batch batch{x.index_select(0, rows), (rows % 3), at::zeros({15}, at::kLong)};
  cl::ReservoirBuffer buffer(50);
  for (int i = 0; i < 20; ++i)
    buffer.add(batch, gen);
  EXPECT_EQ(buffer.size(), 10);
  EXPECT_EQ(buffer.seen(), 10);
  // The same pixels with another label or task are other samples.
  buffer.add(cl::Batch{x, at::full({10}, 7, at::kLong), at::zeros({10}, at::kLong)}, gen);
  EXPECT_EQ(buffer.size(), 20);
  // Many draws with replacement from 200 samples into a buffer of 50: never a duplicate.
  const at::Tensor pool = at::randn({200, 6}, gen, at::kFloat);
  cl::ReservoirBuffer small(50);
  for (int i = 0; i < 40; ++i) {
    const at::Tensor idx = at::randint(200, {32}, gen, at::kLong);
    small.add(cl::Batch{pool.index_select(0, idx), idx % 4, at::zeros({32}, at::kLong)}, gen);
  }
  EXPECT_EQ(small.size(), 50);
  const at::Tensor h = cl::sample_hashes(small.contents());
  EXPECT_EQ(std::get<0>(at::_unique(h)).size(0), 50);
}

// Replay's weighting "vandeven": 1/t on the current samples, (t-1)/t on the replayed ones.
TEST(ReplayWeighting, VandevenWeighsTheReplayedLossByTMinusOneOverT) {
  const data::Stream stream = split_stream(3, 6);
  for (const std::string weighting : {"vandeven", "equal", "batch"}) {
    Fixture f(stream);
    cl::ReplayStrategy replay(cl::ReplayOptions().buffer_size(50).weighting(weighting));
    auto pick = [&](int64_t t, int64_t n) {
      const at::Tensor pos = at::arange(n, at::kLong);
      return cl::Batch{stream.task(t).train.images_at(pos), stream.task(t).train.targets_at(pos),
                       at::full({n}, t, at::kLong)};
    };
    f.ctx.task = 0;
    replay.after_step(f.ctx, replay.compose_batch(f.ctx, pick(0, 12)));
    f.ctx.task = 2;
    const cl::Batch joined = replay.compose_batch(f.ctx, pick(2, 8));
    ASSERT_EQ(joined.size(), 16);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
    const at::Tensor logits = at::randn({16, 6}, gen, at::kFloat);
    const at::Tensor mask = stream.active_mask(joined.task, 2);
    const at::Tensor nll = -at::log_softmax(logits.masked_fill(mask.logical_not(), -1e9), 1)
                                .gather(1, joined.y.unsqueeze(1))
                                .squeeze(1);
    const double current = nll.narrow(0, 0, 8).mean().item<double>();
    const double replayed = nll.narrow(0, 8, 8).mean().item<double>();
    const at::Tensor given = at::full({}, 123.0);
    const double got = replay.before_backward(f.ctx, joined, logits, given).item<double>();
    if (weighting == "vandeven")
      EXPECT_NEAR(got, current / 3 + replayed * 2 / 3, 1e-5);
    else if (weighting == "equal")
      EXPECT_NEAR(got, (current + replayed) / 2, 1e-5);
    else
      EXPECT_EQ(got, 123.0); // the trainer's loss over the joined batch, unchanged
  }
}

// --eval-during: points every N iterations on the tasks trained so far; training is unchanged.
TEST(EvalDuring, MeasuresTheSeenTasksWithoutChangingTheRun) {
  const data::Stream stream = testing::two_task_stream();
  train::TrainerConfig cfg;
  cfg.iterations = 30;
  cfg.batch_size = 16;
  cfg.seed = 2;
  const auto plain = testing::run_strategy(stream, "naive", {}, cfg);
  cfg.eval_during = 10;
  const auto measured = testing::run_strategy(stream, "naive", {}, cfg);
  EXPECT_EQ(plain.accuracy, measured.accuracy);
  ASSERT_EQ(measured.eval_during.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const auto& p = measured.eval_during[i];
    EXPECT_EQ(p.task, static_cast<int64_t>(i / 3));
    EXPECT_EQ(p.iteration, static_cast<int64_t>(10 * (i % 3 + 1)));
    ASSERT_EQ(p.accuracy.size(), static_cast<size_t>(p.task + 1));
    for (double a : p.accuracy)
      EXPECT_TRUE(a >= 0 && a <= 1);
  }
  // The last point of each task is the accuracy matrix's row.
  EXPECT_DOUBLE_EQ(measured.eval_during[2].accuracy[0], measured.accuracy[0][0]);
  EXPECT_DOUBLE_EQ(measured.eval_during[5].accuracy[1], measured.accuracy[1][1]);
  EXPECT_TRUE(plain.eval_during.empty());
}

TEST(PadDataset, PadsCentredWithBlackAndKeepsThePixels) {
  data::SyntheticDatasetOptions o;
  o.rows = 6;
  o.cols = 6;
  o.train_per_class = 3;
  o.test_per_class = 2;
  const data::Dataset d = data::make_synthetic_dataset(o);
  const data::Dataset p = data::pad_dataset(d, 10);
  EXPECT_EQ(p.rows, 10);
  EXPECT_EQ(p.input_dim(), 100);
  const at::Tensor img = p.train_images.view({-1, 10, 10});
  const double black = d.black_level()[0];
  EXPECT_TRUE(at::equal(img.narrow(1, 2, 6).narrow(2, 2, 6), d.train_images.view({-1, 6, 6})));
  EXPECT_TRUE((img.narrow(1, 0, 2) == black).all().item<bool>());
  EXPECT_TRUE((img.narrow(2, 8, 2) == black).all().item<bool>());
  EXPECT_EQ(p.test_images.size(1), 100);
  // A permuted stream over the padded images has 100 inputs.
  EXPECT_EQ(data::make_permuted_stream(p, data::Scenario::kDomain, {2, 0}).input_dim(), 100);
  EXPECT_ERROR_MENTIONS(data::pad_dataset(d, 5), "argument 'size' expected >= the images' 6x6");
}

} // namespace
} // namespace engram
