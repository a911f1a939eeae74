#include <engram/rl/agents/eligibility_trace.h>

#include <c10/util/Exception.h>

#include <cmath>

namespace engram::rl {

std::string to_string(TraceKind kind) {
  switch (kind) {
  case TraceKind::kAccumulating:
    return "accumulating";
  case TraceKind::kReplacing:
    return "replacing";
  case TraceKind::kDutch:
    return "dutch";
  }
  return "?";
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

void update_trace(std::vector<double>& e, const std::vector<double>& x, double decay, double alpha,
                  TraceKind kind) {
  switch (kind) {
  case TraceKind::kAccumulating:
    for (size_t i = 0; i < e.size(); ++i)
      e[i] = decay * e[i] + x[i];
    break;
  case TraceKind::kReplacing:
    for (size_t i = 0; i < e.size(); ++i)
      e[i] = x[i] != 0.0 ? x[i] : decay * e[i];
    break;
  case TraceKind::kDutch: {
    const double scale = 1.0 - alpha * decay * dot(e, x);
    for (size_t i = 0; i < e.size(); ++i)
      e[i] = decay * e[i] + scale * x[i];
    break;
  }
  }
}

void check_unit_interval(double value, const char* function, const char* argument) {
  TORCH_CHECK(value >= 0.0 && value <= 1.0, function, ": argument '", argument,
              "' expected in [0, 1], got ", value);
}

void check_positive(double value, const char* function, const char* argument) {
  TORCH_CHECK(value > 0.0 && std::isfinite(value), function, ": argument '", argument,
              "' expected > 0, got ", value);
}

} // namespace engram::rl
