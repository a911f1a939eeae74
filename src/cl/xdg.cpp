#include <engram/cl/strategy_registry.h>
#include <engram/cl/xdg.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(XdgStrategy, "xdg",
                         "Masse et al. 2018: per-task random gating of hidden units (task-IL only)",
                         ENGRAM_STRATEGY_OPTION(gated_fraction, OptionRange::half_open(0, 1)));

XdgStrategy::XdgStrategy(XdgOptions options_, uint64_t seed)
    : StrategyWithOptions(std::move(options_)), seed_(seed) {}

std::string XdgStrategy::unsupported_reason(data::Scenario scenario) const {
  if (scenario == data::Scenario::kTask)
    return "";
  return "xdg gates by task id, which only task-IL gives at test time";
}

void XdgStrategy::begin(StrategyContext& ctx) {
  // Gates are a function of the seed alone, so a resumed run rebuilds the same ones.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed_ ^ 0x5d6e0a11ULL);
  const int64_t T = ctx.stream->num_tasks();
  gates_.clear();
  for (int64_t width : ctx.model->gate_widths()) {
    const auto keep = std::max<int64_t>(1, std::llround((1.0 - options.gated_fraction()) * width));
    at::Tensor g = at::zeros({T, width}, at::kFloat);
    for (int64_t t = 0; t < T; ++t)
      g[t].index_fill_(0, at::randperm(width, gen, at::kLong).narrow(0, 0, keep), 1.0);
    gates_.push_back(g.to(ctx.device)); // drawn on the CPU: the same gates on every device
  }
}

std::vector<at::Tensor> XdgStrategy::context_gates(const at::Tensor& task) const {
  std::vector<at::Tensor> out;
  for (const auto& g : gates_)
    out.push_back(g.index_select(0, task));
  return out;
}

} // namespace engram::cl
