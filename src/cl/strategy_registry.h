#pragma once
// Strategies by name, with their hyperparameters and defaults.
//   naive       fine-tuning, no protection (lower bound)
//   joint       trains on all data seen so far (upper bound)
//   ewc         Elastic Weight Consolidation, one Fisher penalty per task (Kirkpatrick et al. 2017)
//   online-ewc  one running Fisher, decayed by gamma (Schwarz et al. 2018)
//   si          Synaptic Intelligence (Zenke et al. 2017)
//   lwf         Learning without Forgetting, distillation at temperature T (Li & Hoiem 2017)
//   replay      experience replay from a reservoir buffer of fixed size
//   agem        Averaged GEM: gradient projection against a memory (Chaudhry et al. 2019)
//   xdg         context-dependent gating of hidden units, task-IL only (Masse et al. 2018)

#include "strategy.h"

#include <memory>
#include <string>
#include <vector>

namespace engram::cl {

std::vector<std::string> strategy_names();
// nullptr when `name` is no strategy.
const Hyperparameters* find_strategy_defaults(const std::string& name);
// Defaults overridden by `overrides`; an unknown name or key throws naming it.
std::unique_ptr<Strategy> make_strategy(const std::string& name,
                                        const Hyperparameters& overrides = {}, uint64_t seed = 0);

} // namespace engram::cl
