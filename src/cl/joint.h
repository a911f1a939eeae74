#pragma once
// Joint training (upper bound): at task t every batch is drawn uniformly from the training data of
// tasks 0..t, so nothing seen is ever left out.
#include "strategy.h"

namespace engram::cl {
class JointStrategy : public Strategy {
public:
  using Strategy::Strategy;
  std::string name() const override { return "joint"; }
  Batch compose_batch(StrategyContext& ctx, Batch current) override;
};
} // namespace engram::cl
