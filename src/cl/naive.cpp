#include <engram/cl/naive.h>
#include <engram/cl/strategy_registry.h>

namespace engram::cl {

ENGRAM_REGISTER_STRATEGY(NaiveStrategy, "naive", "fine-tunes on each task in turn (lower bound)");

} // namespace engram::cl
