#pragma once
// Continual-learning metrics from the accuracy matrix R, where R[i][j] is the test accuracy on task
// j after training on tasks 0..i (T x T, including j > i), and b[j] the accuracy of the randomly
// initialised model on task j:
//   ACC        = 1/T sum_j R[T-1][j]                                     (average final accuracy)
//   BWT        = 1/(T-1) sum_{j<T-1} (R[T-1][j] - R[j][j])                (Lopez-Paz & Ranzato
//   2017) FWT        = 1/(T-1) sum_{j>0} (R[j-1][j] - b[j])                     (ibid.) forgetting
//   = 1/(T-1) sum_{j<T-1} (max_{j<=l<T-1} R[l][j] - R[T-1][j]) (Chaudhry et al. 2018)
// BWT, FWT and forgetting are 0 for a single task.

#include <vector>

namespace engram::cl {

using AccuracyMatrix = std::vector<std::vector<double>>;

struct ContinualMetrics {
  double acc = 0;
  double bwt = 0;
  double fwt = 0;
  double forgetting = 0;
};

// Throws when R is not square or b's length differs.
ContinualMetrics compute_metrics(const AccuracyMatrix& R, const std::vector<double>& random_init);

} // namespace engram::cl
