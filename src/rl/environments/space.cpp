#include <engram/rl/environments/space.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <sstream>

namespace engram::rl {

Space Space::discrete(int64_t n) {
  TORCH_CHECK(n > 0, "Space::discrete: argument 'n' expected > 0, got ", n);
  Space s;
  s.kind = Kind::kDiscrete;
  s.n = n;
  return s;
}

Space Space::box(std::vector<double> low, std::vector<double> high) {
  TORCH_CHECK(!low.empty() && low.size() == high.size(),
              "Space::box: arguments 'low' and 'high' expected the same non-zero length, got ",
              low.size(), " and ", high.size());
  for (size_t i = 0; i < low.size(); ++i) {
    TORCH_CHECK(low[i] <= high[i], "Space::box: expected low <= high in dimension ", i, ", got ",
                low[i], " > ", high[i]);
  }
  Space s;
  s.kind = Kind::kBox;
  s.low = std::move(low);
  s.high = std::move(high);
  return s;
}

bool Space::contains(int64_t element) const {
  return is_discrete() && element >= 0 && element < n;
}

bool Space::contains(const Observation& observation) const {
  if (is_discrete()) {
    if (observation.size() != 1)
      return false;
    const double v = observation[0];
    return v == std::floor(v) && contains(static_cast<int64_t>(v));
  }
  if (observation.size() != low.size())
    return false;
  for (size_t i = 0; i < low.size(); ++i) {
    if (!(observation[i] >= low[i] && observation[i] <= high[i]))
      return false;
  }
  return true;
}

std::string Space::to_string() const {
  std::ostringstream os;
  if (is_discrete()) {
    os << "Discrete(" << n << ")";
  } else {
    os << "Box(" << low.size() << ")";
  }
  return os.str();
}

int64_t state_of(const Observation& observation) {
  TORCH_CHECK(
      observation.size() == 1,
      "state_of: argument 'observation' expected a discrete observation of size 1, got size ",
      observation.size());
  return static_cast<int64_t>(observation[0]);
}

} // namespace engram::rl
