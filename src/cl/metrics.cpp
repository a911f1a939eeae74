#include <engram/cl/metrics.h>

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace engram::cl {

ContinualMetrics compute_metrics(const AccuracyMatrix& R, const std::vector<double>& b,
                                 bool class_incremental) {
  const auto T = R.size();
  TORCH_CHECK(T > 0, "compute_metrics: argument 'R' expected a non-empty matrix");
  for (size_t i = 0; i < T; ++i)
    TORCH_CHECK(R[i].size() == T, "compute_metrics: argument 'R' expected ", T, "x", T, ", row ", i,
                " has ", R[i].size(), " entries");
  TORCH_CHECK(b.size() == T, "compute_metrics: argument 'random_init' expected ", T,
              " entries, got ", b.size());
  // A cell that was not evaluated (--eval-every, --eval-tasks seen) is NaN; a metric that needs
  // one is NaN too (reported as n/a), never computed from the cells that happen to be there.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ContinualMetrics m;
  for (size_t j = 0; j < T; ++j)
    m.acc += R[T - 1][j];
  m.acc /= static_cast<double>(T);
  for (size_t i = 0; i < T; ++i) {
    double seen = 0;
    for (size_t j = 0; j <= i; ++j)
      seen += R[i][j];
    m.avg_incremental_acc += seen / static_cast<double>(i + 1);
  }
  m.avg_incremental_acc /= static_cast<double>(T);
  if (class_incremental)
    m.fwt = nan;
  if (T == 1)
    return m;
  for (size_t j = 0; j + 1 < T; ++j) {
    m.bwt += R[T - 1][j] - R[j][j];
    m.forgetting_avalanche += R[j][j] - R[T - 1][j];
    double best = R[j][j];
    for (size_t l = j; l + 1 < T; ++l)
      best = std::isnan(R[l][j]) ? nan : std::max(best, R[l][j]);
    m.forgetting += best - R[T - 1][j];
  }
  for (size_t j = 1; j < T; ++j)
    m.fwt += R[j - 1][j] - b[j];
  const auto n = static_cast<double>(T - 1);
  m.bwt /= n;
  m.fwt /= n;
  m.forgetting /= n;
  m.forgetting_avalanche /= n;
  return m;
}

} // namespace engram::cl
