// e-prop (symmetric and random feedback) against BPTT on the recurrent tasks of Bellec et al.
// 2020, with seeds: pattern generation (normalised MSE) or a delayed cue (accuracy), and the CPU
// memory of one gradient computation at the task's length and at `--memory-factor` times it.
//   example_eprop_vs_bptt --task pattern-generation|delayed-cue [--neuron lif|alif|tanh]
//       [--methods bptt,eprop-symmetric,eprop-random] [--seeds 0-4] [--iterations N] [--lr 3e-3]
//       [--hidden 100] [--steps 1000] [--inputs 100] [--outputs 3] [--delay 20] [--cue 20]
//       [--recall 20] [--batch 16] [--threshold 1] [--tau-out 20] [--tau-adaptation 200]
//       [--beta 1.8] [--json out.json]
#include <support/cpu_memory_counter.h>

#include <ATen/Parallel.h>
#include <engram/io/atomic_file.h>
#include <engram/layers/spiking/eprop_tasks.h>
#include <engram/train/seed_summary.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace sp = engram::layers::spiking;
using engram::testing::CpuMemoryCounter;

namespace {

int64_t peak_growth(const std::function<void()>& f) {
  const auto before = CpuMemoryCounter::live_bytes();
  CpuMemoryCounter::reset_peak();
  f();
  return CpuMemoryCounter::peak_bytes() - before;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    parts.push_back(part);
  }
  return parts;
}

std::string mean_sd(const engram::train::SeedStats& s, int precision) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(precision) << s.mean << " ± " << s.sd;
  return out.str();
}

} // namespace

int main(int argc, char** argv) {
  at::set_num_threads(1);
  CpuMemoryCounter::install();
  CLI::App app{"e-prop against BPTT on pattern generation or a delayed cue (Bellec et al. 2020)"};
  std::string task_name = "pattern-generation", neuron = "lif",
              methods_text = "bptt,eprop-symmetric,eprop-random", seeds_text = "0-4", json_path;
  int64_t iterations = 0, hidden = 100, steps = 1000, inputs = 100, outputs = 3, delay = 20,
          cue = 20, recall = 20, batch = 16, population = 10, memory_factor = 4;
  double lr = 3e-3, threshold = 1.0, tau_out = 20, tau_mem = 20, tau_adaptation = 200, beta = 1.8,
         input_rate = 0.01, frequency_scale = 1;
  app.add_option("--task", task_name, "pattern-generation | delayed-cue")
      ->check(CLI::IsMember({"pattern-generation", "delayed-cue"}));
  app.add_option("--neuron", neuron, "lif | alif | tanh")->capture_default_str();
  app.add_option("--methods", methods_text, "comma-separated: bptt, eprop-symmetric, eprop-random")
      ->capture_default_str();
  app.add_option("--seeds", seeds_text, "seeds, e.g. 0-4")->capture_default_str();
  app.add_option("--iterations", iterations, "Adam steps (default 300 pattern, 400 delay)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--lr", lr, "Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--hidden", hidden, "recurrent neurons")->check(CLI::PositiveNumber);
  app.add_option("--steps", steps, "pattern generation: sequence length (1 ms steps)")
      ->check(CLI::PositiveNumber);
  app.add_option("--inputs", inputs, "pattern generation: input neurons")
      ->check(CLI::PositiveNumber);
  app.add_option("--input-rate", input_rate, "pattern generation: input spikes per step")
      ->check(CLI::Range(1e-6, 1.0));
  app.add_option("--frequency-scale", frequency_scale,
                 "pattern generation: multiplies the frequencies 1, 2, 3, 5 Hz")
      ->check(CLI::PositiveNumber);
  app.add_option("--outputs", outputs, "pattern generation: target curves")
      ->check(CLI::PositiveNumber);
  app.add_option("--cue", cue, "delayed cue: cue steps")->check(CLI::PositiveNumber);
  app.add_option("--delay", delay, "delayed cue: steps between cue and recall")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--recall", recall, "delayed cue: recall steps")->check(CLI::PositiveNumber);
  app.add_option("--population", population, "delayed cue: input neurons per population")
      ->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "delayed cue: sequences per step")->check(CLI::PositiveNumber);
  app.add_option("--threshold", threshold, "LIF/ALIF threshold")->check(CLI::PositiveNumber);
  app.add_option("--tau-mem", tau_mem, "membrane (tanh) time constant, steps")
      ->check(CLI::PositiveNumber);
  app.add_option("--tau-out", tau_out, "readout time constant, steps")->check(CLI::PositiveNumber);
  app.add_option("--tau-adaptation", tau_adaptation, "ALIF adaptation time constant, steps")
      ->check(CLI::PositiveNumber);
  app.add_option("--beta", beta, "ALIF adaptation strength")->check(CLI::NonNegativeNumber);
  app.add_option("--memory-factor", memory_factor,
                 "memory is also measured at this many times the sequence length")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", json_path, "write the runs and the summary here");
  CLI11_PARSE(app, argc, argv);

  const bool pattern = task_name == "pattern-generation";
  std::vector<sp::GradientMethod> methods;
  std::vector<uint64_t> seeds;
  sp::RecurrentModelOptions model;
  try {
    for (const auto& m : split(methods_text)) {
      methods.push_back(sp::parse_gradient_method(m, "--methods"));
    }
    seeds = engram::train::parse_seed_list(seeds_text);
    model.neuron = sp::parse_recurrent_neuron(neuron, "--neuron");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  if (iterations == 0) {
    iterations = pattern ? 300 : 400;
  }
  model.hidden_size = hidden;
  model.threshold = threshold;
  model.tau_mem = tau_mem;
  model.tau_out = tau_out;
  model.tau_adaptation = tau_adaptation;
  model.beta = beta;
  sp::PatternGenerationOptions pattern_options;
  pattern_options.steps = steps;
  pattern_options.input_size = inputs;
  pattern_options.input_rate = input_rate;
  pattern_options.output_size = outputs;
  pattern_options.frequency_scale = frequency_scale;
  sp::DelayedCueOptions cue_options;
  cue_options.cue_steps = cue;
  cue_options.delay = delay;
  cue_options.recall_steps = recall;
  cue_options.population = population;
  model.input_size = pattern ? inputs : 4 * population;
  model.output_size = pattern ? outputs : 2;

  nlohmann::json out;
  out["command"] = [&] {
    std::string c = "example_eprop_vs_bptt";
    for (int i = 1; i < argc; ++i) {
      c += std::string(" ") + argv[i];
    }
    return c;
  }();
  out["task"] = task_name;
  out["metric"] = pattern ? "normalised MSE (lower is better)" : "accuracy (chance 0.5)";
  out["config"] = {{"neuron", neuron},
                   {"hidden", hidden},
                   {"iterations", iterations},
                   {"lr", lr},
                   {"threshold", threshold},
                   {"tau_mem", tau_mem},
                   {"tau_out", tau_out},
                   {"tau_adaptation", tau_adaptation},
                   {"beta", beta},
                   {"seeds", engram::train::format_seed_list(seeds)}};
  if (pattern) {
    out["config"].update({{"steps", steps},
                          {"inputs", inputs},
                          {"input_rate", input_rate},
                          {"frequency_scale", frequency_scale},
                          {"outputs", outputs}});
  } else {
    out["config"].update({{"cue", cue},
                          {"delay", delay},
                          {"recall", recall},
                          {"population", population},
                          {"batch", batch}});
  }

  // Memory of one gradient computation (batch 1 for pattern generation, --batch for the cue) at
  // the task's length T and at memory_factor * T; a fixed model and input, so deterministic.
  const auto memory_at = [&](sp::GradientMethod method, int64_t factor) {
    torch::manual_seed(0);
    if (pattern) {
      auto p = pattern_options;
      p.steps = steps * factor;
      const auto task = sp::make_pattern_generation(p);
      const auto targets = task.targets;
      return sp::gradient_memory_bytes(
          model, method, task.inputs,
          [targets](int64_t t, const at::Tensor& y) { return 0.5 * (y - targets[t]).pow(2).sum(); },
          peak_growth);
    }
    auto c = cue_options;
    c.delay = (cue + delay + recall) * factor - cue - recall;
    const auto b = sp::make_delayed_cue(c, batch);
    return sp::gradient_memory_bytes(model, method, b.inputs, sp::delayed_cue_loss(b, recall),
                                     peak_growth);
  };

  out["runs"] = nlohmann::json::array();
  out["summary"] = nlohmann::json::array();
  std::cout << (pattern ? "pattern generation" : "delayed cue") << ", " << neuron << ", " << hidden
            << " neurons, " << iterations << " iterations, seeds " << seeds_text << "\n";
  for (const auto method : methods) {
    std::vector<double> initial, final_metric, seconds, activity;
    for (const auto seed : seeds) {
      sp::TrainingOptions training;
      training.iterations = iterations;
      training.lr = lr;
      training.batch = batch;
      training.eval_batch = 512;
      training.seed = seed;
      sp::TrainingResult r;
      if (pattern) {
        auto p = pattern_options;
        p.seed = seed;
        r = sp::train_pattern_generation(model, sp::make_pattern_generation(p), method, training);
      } else {
        r = sp::train_delayed_cue(model, cue_options, method, training);
      }
      initial.push_back(r.initial_metric);
      final_metric.push_back(r.final_metric);
      seconds.push_back(r.seconds);
      activity.push_back(r.mean_activity);
      out["runs"].push_back({{"method", sp::to_string(method)},
                             {"seed", seed},
                             {"initial", r.initial_metric},
                             {"final", r.final_metric},
                             {"mean_activity", r.mean_activity},
                             {"seconds", r.seconds}});
      std::cout << "  " << sp::to_string(method) << " seed " << seed << ": " << r.initial_metric
                << " -> " << r.final_metric << " (" << r.seconds << " s)" << std::endl;
    }
    const auto m1 = memory_at(method, 1);
    const auto mk = memory_at(method, memory_factor);
    const auto s = engram::train::seed_stats(final_metric);
    out["summary"].push_back({{"method", sp::to_string(method)},
                              {"n", s.n},
                              {"initial_mean", engram::train::seed_stats(initial).mean},
                              {"final_mean", s.mean},
                              {"final_sd", s.sd},
                              {"seconds_mean", engram::train::seed_stats(seconds).mean},
                              {"mean_activity", engram::train::seed_stats(activity).mean},
                              {"memory_bytes", m1},
                              {"memory_bytes_at_factor", mk},
                              {"memory_factor", memory_factor}});
    std::cout << sp::to_string(method) << ": " << (pattern ? "NMSE " : "accuracy ") << mean_sd(s, 3)
              << " (from " << engram::train::seed_stats(initial).mean << "), gradient memory "
              << m1 / 1024.0 << " KiB at T, " << mk / 1024.0 << " KiB at " << memory_factor << "T"
              << std::endl;
  }
  if (!json_path.empty()) {
    engram::io::write_file_atomically(json_path, out.dump(2) + "\n");
    std::cout << "wrote " << json_path << "\n";
  }
  return 0;
}
