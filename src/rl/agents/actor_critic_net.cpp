#include <engram/rl/agents/actor_critic_net.h>

#include <c10/util/Exception.h>
#include <torch/nn/init.h>

#include <Eigen/Core>

#include <cmath>
#include <ostream>
#include <vector>

namespace engram::rl {
namespace {

torch::nn::Linear orthogonal_linear(int64_t in, int64_t out, double gain) {
  torch::nn::Linear layer(torch::nn::LinearOptions(in, out));
  torch::NoGradGuard no_grad;
  torch::nn::init::orthogonal_(layer->weight, gain);
  layer->bias.zero_();
  return layer;
}

// y = act(W x + b) for a contiguous float32 [out, in] weight. Eigen's vectorised rational tanh
// (error ~1e-7) instead of std::tanh: libm's tanhf was half the cost of acting.
void dense(const at::Tensor& weight, const at::Tensor& bias, const float* x, float* y,
           bool apply_tanh) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int64_t out = weight.size(0), in = weight.size(1);
  Eigen::Map<const Matrix> w(weight.data_ptr<float>(), out, in);
  Eigen::Map<const Eigen::VectorXf> b(bias.data_ptr<float>(), out);
  Eigen::Map<const Eigen::VectorXf> xv(x, in);
  Eigen::Map<Eigen::VectorXf> yv(y, out);
  yv.noalias() = w * xv + b;
  if (apply_tanh)
    yv = yv.array().tanh().matrix();
}

} // namespace

ActorCriticNetImpl::ActorCriticNetImpl(ActorCriticNetOptions options) : options_(options) {
  TORCH_CHECK(options_.observation_dim() > 0 && options_.num_actions() > 0 && options_.hidden() > 0,
              "ActorCriticNet: arguments 'observation_dim', 'num_actions' and 'hidden' expected "
              "> 0, got ",
              options_.observation_dim(), ", ", options_.num_actions(), ", ", options_.hidden());
  const int64_t d = options_.observation_dim(), h = options_.hidden();
  const double g = std::sqrt(2.0);
  actor1_ = register_module("actor1", orthogonal_linear(d, h, g));
  actor2_ = register_module("actor2", orthogonal_linear(h, h, g));
  actor_head_ = register_module("actor_head", orthogonal_linear(h, options_.num_actions(), 0.01));
  critic1_ = register_module("critic1", orthogonal_linear(d, h, g));
  critic2_ = register_module("critic2", orthogonal_linear(h, h, g));
  critic_head_ = register_module("critic_head", orthogonal_linear(h, 1, 1.0));
}

std::tuple<at::Tensor, at::Tensor> ActorCriticNetImpl::forward(const at::Tensor& observations) {
  TORCH_CHECK(observations.dim() == 2 && observations.size(1) == options_.observation_dim(),
              "ActorCriticNet::forward: argument 'observations' expected shape [B, ",
              options_.observation_dim(), "], got ", observations.sizes());
  const at::Tensor logits =
      actor_head_->forward(at::tanh(actor2_->forward(at::tanh(actor1_->forward(observations)))));
  const at::Tensor values =
      critic_head_->forward(at::tanh(critic2_->forward(at::tanh(critic1_->forward(observations)))))
          .squeeze(1);
  return {logits, values};
}

void ActorCriticNetImpl::infer(const float* observation, float* logits, float* value) const {
  TORCH_CHECK(actor1_->weight.device().is_cpu() && actor1_->weight.scalar_type() == at::kFloat,
              "ActorCriticNet::infer: expects float32 parameters on the CPU, got ",
              actor1_->weight.scalar_type(), " on ", actor1_->weight.device());
  const int64_t h = options_.hidden();
  std::vector<float> buffer(2 * static_cast<size_t>(h));
  float* h1 = buffer.data();
  float* h2 = h1 + h;
  dense(actor1_->weight, actor1_->bias, observation, h1, true);
  dense(actor2_->weight, actor2_->bias, h1, h2, true);
  dense(actor_head_->weight, actor_head_->bias, h2, logits, false);
  dense(critic1_->weight, critic1_->bias, observation, h1, true);
  dense(critic2_->weight, critic2_->bias, h1, h2, true);
  dense(critic_head_->weight, critic_head_->bias, h2, value, false);
}

void ActorCriticNetImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::rl::ActorCriticNet(observation_dim=" << options_.observation_dim()
         << ", num_actions=" << options_.num_actions() << ", hidden=" << options_.hidden() << ")";
}

} // namespace engram::rl
