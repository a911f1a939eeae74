#pragma once
// Naive fine-tuning: trains on each task in turn with nothing against forgetting (lower bound).
#include "strategy.h"

namespace engram::cl {
class NaiveStrategy : public Strategy {
public:
  using Strategy::Strategy;
  std::string name() const override { return "naive"; }
};
} // namespace engram::cl
