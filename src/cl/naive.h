#pragma once
// Naive fine-tuning: trains on each task in turn with nothing against forgetting (lower bound).
#include <engram/cl/strategy.h>

namespace engram::cl {
class NaiveStrategy : public StrategyWithOptions<NoOptions> {
public:
  using StrategyWithOptions::StrategyWithOptions;
  std::string name() const override { return "naive"; }
};
} // namespace engram::cl
