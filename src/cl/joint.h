#pragma once
// Joint training (upper bound): at task t every batch is drawn uniformly from the training data of
// tasks 0..t, so nothing seen is ever left out.
#include <engram/cl/strategy.h>

namespace engram::cl {
class JointStrategy : public StrategyWithOptions<NoOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "joint"; }
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
};
} // namespace engram::cl
