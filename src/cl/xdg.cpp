#include "xdg.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

#include <cmath>

namespace engram::cl {

XdgStrategy::XdgStrategy(Hyperparameters hp, uint64_t seed) : Strategy(std::move(hp)), seed_(seed) {
  const double f = this->hp("gated_fraction");
  TORCH_CHECK(f >= 0 && f < 1, "xdg: hyperparameter 'gated_fraction' expected in [0, 1), got ", f);
}

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
    const auto keep = std::max<int64_t>(1, std::llround((1.0 - hp("gated_fraction")) * width));
    at::Tensor g = at::zeros({T, width}, at::kFloat);
    for (int64_t t = 0; t < T; ++t)
      g[t].index_fill_(0, at::randperm(width, gen, at::kLong).narrow(0, 0, keep), 1.0);
    gates_.push_back(g);
  }
}

std::vector<at::Tensor> XdgStrategy::context_gates(const at::Tensor& task) const {
  std::vector<at::Tensor> out;
  for (const auto& g : gates_)
    out.push_back(g.index_select(0, task));
  return out;
}

} // namespace engram::cl
