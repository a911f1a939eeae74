// Oja's rule finds the first principal component and Sanger's rule the leading ones, checked
// against Eigen's eigendecomposition of the sample covariance.
#include <engram/layers/hebbian/hebbian_linear.h>

#include <Eigen/Dense>
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

namespace {

using engram::layers::HebbianLinear;
using engram::layers::HebbianLinearOptions;
using engram::layers::HebbianRule;
using engram::layers::LearningRateSchedule;

// Zero-mean Gaussian samples [n, dim] with covariance Q diag(eigenvalues) Q^T, Q random.
torch::Tensor correlated_gaussian(int64_t n, const std::vector<double>& eigenvalues) {
  const auto dim = static_cast<int64_t>(eigenvalues.size());
  const auto q = std::get<0>(torch::linalg_qr(torch::randn({dim, dim}, torch::kDouble)));
  const auto scale = torch::tensor(eigenvalues, torch::kDouble).sqrt();
  const auto z = torch::randn({n, dim}, torch::kDouble) * scale;
  return torch::matmul(z, q.t()).to(torch::kFloat);
}

// Eigenvectors of the sample covariance, as columns sorted by decreasing eigenvalue.
Eigen::MatrixXd principal_components(const torch::Tensor& samples) {
  const auto x = samples.to(torch::kDouble).contiguous();
  const auto n = x.size(0);
  const auto dim = x.size(1);
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      x.data_ptr<double>(), n, dim);
  const Eigen::MatrixXd centered = m.rowwise() - m.colwise().mean();
  const Eigen::MatrixXd cov = centered.transpose() * centered / static_cast<double>(n - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
  return solver.eigenvectors().rowwise().reverse(); // Eigen sorts ascending
}

double abs_cosine(const torch::Tensor& row, const Eigen::VectorXd& v) {
  const auto r = row.to(torch::kDouble).contiguous();
  Eigen::Map<const Eigen::VectorXd> w(r.data_ptr<double>(), r.numel());
  return std::abs(w.dot(v)) / (w.norm() * v.norm());
}

void train(HebbianLinear& layer, const torch::Tensor& data, int64_t epochs, int64_t batch) {
  for (int64_t e = 0; e < epochs; ++e) {
    const auto order = torch::randperm(data.size(0));
    for (int64_t i = 0; i + batch <= data.size(0); i += batch) {
      layer->learn(data.index_select(0, order.narrow(0, i, batch)));
    }
  }
}

TEST(PrincipalComponents, OjaFindsTheFirstComponent) {
  torch::manual_seed(1);
  const auto data = correlated_gaussian(4000, {6, 3, 2, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1});
  HebbianLinear oja(HebbianLinearOptions(12, 1).rule(HebbianRule::kOja).learning_rate(0.02));
  train(oja, data, 3, 8);
  const auto pcs = principal_components(data);
  const double cosine = abs_cosine(oja->weight[0], pcs.col(0));
  EXPECT_GT(cosine, 0.99);
  // Oja's rule also normalises: the weight vector converges to unit length.
  EXPECT_NEAR(oja->weight[0].norm().item<double>(), 1.0, 0.05);
}

TEST(PrincipalComponents, SangerFindsTheTopFourComponents) {
  torch::manual_seed(2);
  const auto data = correlated_gaussian(4000, {8, 5, 3, 2, 1, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1});
  HebbianLinear gha(HebbianLinearOptions(12, 4)
                        .rule(HebbianRule::kSanger)
                        .learning_rate(0.01)
                        .schedule(LearningRateSchedule::kInverseTime)
                        .schedule_steps(1500));
  train(gha, data, 6, 8);
  const auto pcs = principal_components(data);
  for (int64_t k = 0; k < 4; ++k) {
    EXPECT_GT(abs_cosine(gha->weight[k], pcs.col(k)), 0.95) << "component " << k;
  }
  // The rows converge to an orthonormal set.
  const auto gram = torch::matmul(gha->weight, gha->weight.t());
  EXPECT_TRUE(torch::allclose(gram, torch::eye(4), 0.0, 0.1)) << gram;
}

TEST(PrincipalComponents, PlainHebbWithoutDecayDiverges) {
  // The reason Oja's correction exists: pure Hebbian growth is unbounded.
  torch::manual_seed(3);
  const auto data = correlated_gaussian(1000, {6, 3, 2, 1, 1, 1, 1, 1, 1, 1});
  HebbianLinear hebb(HebbianLinearOptions(10, 1).rule(HebbianRule::kHebb).learning_rate(0.02));
  const double before = hebb->weight.norm().item<double>();
  train(hebb, data, 1, 8);
  EXPECT_GT(hebb->weight.norm().item<double>(), 100.0 * before);
}

} // namespace
