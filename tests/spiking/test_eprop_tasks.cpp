// e-prop against BPTT on the tasks of Bellec et al. 2020 at tiny size: pattern generation and a
// short delayed cue, learned well above the untrained network and chance; and the memory of one
// gradient computation, flat in the sequence length for e-prop, growing for BPTT (bytes of CPU
// tensor storage, counted by the allocator: deterministic).
#include <support/cpu_memory_counter.h>
#include <support/error_message.h>

#include <engram/layers/spiking/eprop_tasks.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

using namespace engram::layers::spiking;
using engram::testing::CpuMemoryCounter;

RecurrentModelOptions tiny_pattern_model() {
  RecurrentModelOptions m;
  m.input_size = 20;
  m.hidden_size = 40;
  m.output_size = 1;
  m.neuron = RecurrentNeuron::kLif;
  m.threshold = 1.0;
  return m;
}

// The paper's curves (1, 2, 3, 5 Hz over 1000 steps) compressed into 200 steps.
PatternGenerationOptions tiny_pattern_task() {
  PatternGenerationOptions p;
  p.steps = 200;
  p.frequency_scale = 5;
  p.input_size = 20;
  p.input_rate = 0.05;
  p.output_size = 1;
  p.seed = 1;
  return p;
}

// Predicting zero (or the mean) scores a normalised MSE of about 1.
TrainingResult train_tiny_pattern(GradientMethod method) {
  TrainingOptions training;
  training.iterations = 100;
  training.lr = 5e-3;
  training.seed = 1;
  const auto r = train_pattern_generation(
      tiny_pattern_model(), make_pattern_generation(tiny_pattern_task()), method, training);
  EXPECT_GT(r.initial_metric, 0.9) << to_string(method);
  EXPECT_GT(r.mean_activity, 0.0) << to_string(method);
  return r;
}

TEST(EpropTasks, PatternGenerationSymmetricEpropLearns) {
  const auto r = train_tiny_pattern(GradientMethod::kEpropSymmetric);
  EXPECT_LT(r.final_metric, 0.3);
}

TEST(EpropTasks, PatternGenerationRandomEpropLearns) {
  const auto r = train_tiny_pattern(GradientMethod::kEpropRandom);
  EXPECT_LT(r.final_metric, 0.3);
}

TEST(EpropTasks, PatternGenerationBpttLearns) {
  const auto r = train_tiny_pattern(GradientMethod::kBptt);
  EXPECT_LT(r.final_metric, 0.5 * r.initial_metric);
}

DelayedCueOptions tiny_delay_task() {
  DelayedCueOptions d;
  d.cue_steps = 10;
  d.delay = 10;
  d.recall_steps = 10;
  d.population = 5;
  return d;
}

RecurrentModelOptions tiny_delay_model() {
  RecurrentModelOptions m;
  m.input_size = 4 * tiny_delay_task().population;
  m.hidden_size = 30;
  m.output_size = 2;
  m.neuron = RecurrentNeuron::kLif;
  return m;
}

TEST(EpropTasks, ShortDelayedCueIsLearnedWellAboveChance) {
  TrainingOptions training;
  training.iterations = 150;
  training.lr = 1e-2;
  training.batch = 16;
  training.eval_batch = 256;
  training.seed = 4;
  for (auto method : {GradientMethod::kEpropSymmetric, GradientMethod::kEpropRandom}) {
    const auto r = train_delayed_cue(tiny_delay_model(), tiny_delay_task(), method, training);
    EXPECT_GT(r.final_metric, 0.8) << to_string(method) << " (chance 0.5)";
  }
}

int64_t peak_growth(const std::function<void()>& f) {
  CpuMemoryCounter::install();
  const auto before = CpuMemoryCounter::live_bytes();
  CpuMemoryCounter::reset_peak();
  f();
  return CpuMemoryCounter::peak_bytes() - before;
}

TEST(EpropTasks, EpropMemoryIsFlatInSequenceLengthWhileBpttGrows) {
  const auto model = tiny_delay_model();
  auto task = tiny_delay_task();
  const auto bytes = [&](GradientMethod method, int64_t delay) {
    task.delay = delay;
    torch::manual_seed(1);
    const auto batch = make_delayed_cue(task, 4);
    return gradient_memory_bytes(model, method, batch.inputs,
                                 delayed_cue_loss(batch, task.recall_steps), peak_growth);
  };
  const auto eprop_short = bytes(GradientMethod::kEpropSymmetric, 20);
  const auto eprop_long = bytes(GradientMethod::kEpropSymmetric, 320);
  const auto bptt_short = bytes(GradientMethod::kBptt, 20);
  const auto bptt_long = bytes(GradientMethod::kBptt, 320);
  // Deterministic: the same computation allocates the same bytes.
  EXPECT_EQ(bytes(GradientMethod::kBptt, 20), bptt_short);
  EXPECT_EQ(bytes(GradientMethod::kEpropSymmetric, 320), eprop_long);
  // 10x the steps: BPTT keeps every step for its backward pass; e-prop keeps traces and only its
  // outputs y^t [T, B, 2] grow.
  EXPECT_GT(bptt_long, 5 * bptt_short) << bptt_short << " -> " << bptt_long;
  EXPECT_LT(eprop_long, eprop_short + 300 * 4 * 2 * 4 * 3) << eprop_short << " -> " << eprop_long;
  EXPECT_LT(eprop_long, bptt_long / 4);
}

TEST(EpropTasks, RefuseBadOptionsNamingThem) {
  auto p = tiny_pattern_task();
  p.input_rate = 1.5;
  EXPECT_ERROR_MENTIONS(make_pattern_generation(p), "input_rate");
  auto d = tiny_delay_task();
  d.delay = -1;
  EXPECT_ERROR_MENTIONS(make_delayed_cue(d, 2), "delay");
  TrainingOptions t;
  t.iterations = 0;
  EXPECT_ERROR_MENTIONS(
      train_delayed_cue(tiny_delay_model(), tiny_delay_task(), GradientMethod::kBptt, t),
      "iterations");
  EXPECT_ERROR_MENTIONS(parse_gradient_method("rtrl"), "rtrl");
  EXPECT_ERROR_MENTIONS(parse_recurrent_neuron("izhikevich"), "izhikevich");
}

} // namespace
