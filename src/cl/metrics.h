#pragma once
// Continual-learning metrics from the accuracy matrix R, where R[i][j] is the test accuracy on task
// j after training on tasks 0..i (T x T, including j > i), and b[j] the accuracy of the randomly
// initialised model on task j:
//   acc                  1/T sum_j R[T-1][j]                        average final accuracy
//   bwt                  1/(T-1) sum_{j<T-1} (R[T-1][j] - R[j][j])  backward transfer (Lopez-Paz &
//                                                                   Ranzato 2017)
//   fwt                  1/(T-1) sum_{j>0} (R[j-1][j] - b[j])       forward transfer (ibid.); n/a
//                                                                   (NaN) in class-IL, where
//                                                                   R[j-1][j] ~ 0 by construction
//   forgetting           1/(T-1) sum_{j<T-1} (max_{j<=l<T-1} R[l][j] - R[T-1][j])
//                                                                   Chaudhry et al. 2018
//   forgetting_avalanche 1/(T-1) sum_{j<T-1} (R[j][j] - R[T-1][j])  Avalanche's definition
//                                                                   (accuracy just after learning
//                                                                   task j minus at the end; =
//                                                                   -bwt)
//   avg_incremental_acc  1/T sum_i 1/(i+1) sum_{j<=i} R[i][j]       average incremental accuracy
//                                                                   (Rebuffi et al. 2017)
// bwt, fwt and both forgettings are 0 for a single task. A metric that needs a cell that was not
// evaluated (NaN in R) is NaN.

#include <vector>

namespace engram::cl {

using AccuracyMatrix = std::vector<std::vector<double>>;

struct ContinualMetrics {
  double acc = 0;
  double bwt = 0;
  double fwt = 0;
  double forgetting = 0; // Chaudhry et al. 2018
  double forgetting_avalanche = 0;
  double avg_incremental_acc = 0;
};

// Throws when R is not square or b's length differs. `class_incremental`: fwt is NaN (n/a).
ContinualMetrics compute_metrics(const AccuracyMatrix& R, const std::vector<double>& random_init,
                                 bool class_incremental = false);

} // namespace engram::cl
