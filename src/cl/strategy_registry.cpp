#include "strategy_registry.h"

#include "agem.h"
#include "ewc.h"
#include "hebbian_readout.h"
#include "hippocampal_replay.h"
#include "joint.h"
#include "lwf.h"
#include "naive.h"
#include "online_ewc.h"
#include "replay.h"
#include "si.h"
#include "xdg.h"

#include <c10/util/Exception.h>

namespace engram::cl {

namespace {
const std::map<std::string, Hyperparameters>& defaults() {
  static const std::map<std::string, Hyperparameters> d{
      {"naive", {}},
      {"joint", {}},
      {"ewc", {{"lambda", 10000.0}, {"fisher_samples", 500.0}}},
      {"online-ewc", {{"lambda", 10000.0}, {"gamma", 1.0}, {"fisher_samples", 500.0}}},
      {"si", {{"c", 500.0}, {"xi", 0.1}}},
      {"lwf", {{"temperature", 2.0}}},
      {"replay", {{"buffer_size", 1000.0}}},
      {"agem", {{"buffer_size", 1000.0}, {"reference_batch", 256.0}}},
      {"xdg", {{"gated_fraction", 0.8}}},
      {"hebbian-readout", {{"body_tasks", 1.0}}},
      {"hippocampal-replay", {{"buffer_size", 1000.0}, {"beta", 2.0}}},
  };
  return d;
}
} // namespace

std::vector<std::string> strategy_names() {
  return {"naive",
          "joint",
          "ewc",
          "online-ewc",
          "si",
          "lwf",
          "replay",
          "agem",
          "xdg",
          "hebbian-readout",
          "hippocampal-replay"};
}

const Hyperparameters* find_strategy_defaults(const std::string& name) {
  auto it = defaults().find(name);
  return it == defaults().end() ? nullptr : &it->second;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const Hyperparameters& overrides,
                                        uint64_t seed) {
  const Hyperparameters* d = find_strategy_defaults(name);
  if (d == nullptr) {
    std::string names;
    for (const auto& n : strategy_names())
      names += (names.empty() ? "" : ", ") + n;
    TORCH_CHECK(false, "make_strategy: argument 'name' expected one of ", names, "; got '", name,
                "'");
  }
  Hyperparameters hp = *d;
  for (const auto& kv : overrides) {
    TORCH_CHECK(hp.count(kv.first), "make_strategy: strategy '", name, "' has no hyperparameter '",
                kv.first, "'");
    hp[kv.first] = kv.second;
  }
  if (name == "naive")
    return std::make_unique<NaiveStrategy>(hp);
  if (name == "joint")
    return std::make_unique<JointStrategy>(hp);
  if (name == "ewc")
    return std::make_unique<EwcStrategy>(hp);
  if (name == "online-ewc")
    return std::make_unique<OnlineEwcStrategy>(hp);
  if (name == "si")
    return std::make_unique<SiStrategy>(hp);
  if (name == "lwf")
    return std::make_unique<LwfStrategy>(hp);
  if (name == "replay")
    return std::make_unique<ReplayStrategy>(hp);
  if (name == "agem")
    return std::make_unique<AgemStrategy>(hp);
  if (name == "hebbian-readout")
    return std::make_unique<HebbianReadoutStrategy>(hp);
  if (name == "hippocampal-replay")
    return std::make_unique<HippocampalReplayStrategy>(hp);
  return std::make_unique<XdgStrategy>(hp, seed);
}

} // namespace engram::cl
