#include <engram/models/circuits/complementary_learning_system.h>

#include <c10/util/Exception.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>

#include <ostream>

namespace engram::models::circuits {

ComplementaryLearningSystemImpl::ComplementaryLearningSystemImpl(
    ComplementaryLearningSystemOptions options_)
    : options(std::move(options_)) {
  const char* n = "ComplementaryLearningSystem: option '";
  TORCH_CHECK(options.input_size() >= 1, n, "input_size' expected >= 1, got ",
              options.input_size());
  TORCH_CHECK(options.num_responses() >= 2, n, "num_responses' expected >= 2, got ",
              options.num_responses());
  TORCH_CHECK(options.hidden() >= 1, n, "hidden' expected >= 1, got ", options.hidden());
  TORCH_CHECK(options.store_capacity() >= 1, n, "store_capacity' expected >= 1, got ",
              options.store_capacity());
  TORCH_CHECK(options.cortex_learning_rate() > 0 && options.cortex_learning_rate() <= 10, n,
              "cortex_learning_rate' expected a number in (0, 10], got ",
              options.cortex_learning_rate());
  TORCH_CHECK(options.batch_size() >= 1, n, "batch_size' expected >= 1, got ",
              options.batch_size());
  TORCH_CHECK(options.recall_sharpness() > 0 && std::isfinite(options.recall_sharpness()), n,
              "recall_sharpness' expected a finite number > 0, got ", options.recall_sharpness());
  reset();
}

void ComplementaryLearningSystemImpl::reset() {
  cortex_ = register_module(
      "cortex", torch::nn::Sequential(
                    torch::nn::Linear(options.input_size(), options.hidden()), torch::nn::ReLU(),
                    torch::nn::Linear(options.hidden(), options.num_responses())));
  hippocampus_ = register_module(
      "hippocampus",
      layers::memory::KeyValueMemory(layers::memory::KeyValueMemoryOptions(options.store_capacity(),
                                                                           options.input_size(),
                                                                           options.num_responses())
                                         .addressing(layers::memory::MemoryAddressing::kCosine)
                                         .beta(options.recall_sharpness())
                                         .learn_beta(false)));
  reset_parameters();
}

void ComplementaryLearningSystemImpl::reset_parameters() {
  for (auto& m : cortex_->modules(/*include_self=*/false))
    if (auto* linear = m->as<torch::nn::Linear>())
      linear->reset_parameters();
  hippocampus_->reset_state(1);
}

void ComplementaryLearningSystemImpl::check_items(const char* fn, const at::Tensor& x,
                                                  const at::Tensor& y) const {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options.input_size(),
              "ComplementaryLearningSystem::", fn, ": argument 'x' expected [N, ",
              options.input_size(), "], got ", x.sizes());
  TORCH_CHECK(y.dim() == 1 && y.size(0) == x.size(0) && y.scalar_type() == at::kLong,
              "ComplementaryLearningSystem::", fn, ": argument 'y' expected int64 [", x.size(0),
              "], got ", y.scalar_type(), " ", y.sizes());
  TORCH_CHECK(y.numel() == 0 || (y.min().item<int64_t>() >= 0 &&
                                 y.max().item<int64_t>() < options.num_responses()),
              "ComplementaryLearningSystem::", fn, ": argument 'y' expected responses in [0, ",
              options.num_responses() - 1, "]");
}

int64_t ComplementaryLearningSystemImpl::stored() const {
  return hippocampus_->state().filled.sum().item<int64_t>();
}

void ComplementaryLearningSystemImpl::encode(const at::Tensor& x, const at::Tensor& y) {
  check_items("encode", x, y);
  TORCH_CHECK(stored() + x.size(0) <= options.store_capacity(),
              "ComplementaryLearningSystem::encode: the store holds ", stored(), " of ",
              options.store_capacity(), " episodes and cannot take ", x.size(0), " more");
  at::NoGradGuard no_grad;
  const at::Tensor values = at::one_hot(y, options.num_responses()).to(at::kFloat);
  hippocampus_->append(x.to(at::kFloat).unsqueeze(0), values.unsqueeze(0));
}

void ComplementaryLearningSystemImpl::sgd_steps(const at::Tensor& x, const at::Tensor& y,
                                                int64_t steps) {
  const int64_t n = x.size(0), b = std::min(options.batch_size(), n);
  for (int64_t s = 0; s < steps; ++s) {
    const at::Tensor pick = at::randperm(n, at::kLong).narrow(0, 0, b);
    for (auto& p : cortex_->parameters())
      p.mutable_grad() = at::Tensor();
    const at::Tensor loss = torch::nn::functional::cross_entropy(
        cortex_->forward(x.index_select(0, pick)), y.index_select(0, pick));
    loss.backward();
    at::NoGradGuard no_grad;
    for (auto& p : cortex_->parameters())
      p.add_(p.grad(), -options.cortex_learning_rate());
  }
}

void ComplementaryLearningSystemImpl::train_cortex(const at::Tensor& x, const at::Tensor& y,
                                                   int64_t steps) {
  check_items("train_cortex", x, y);
  TORCH_CHECK(steps >= 0,
              "ComplementaryLearningSystem::train_cortex: argument 'steps' expected >= 0, got ",
              steps);
  sgd_steps(x.to(at::kFloat), y, steps);
}

void ComplementaryLearningSystemImpl::sleep(int64_t steps) {
  TORCH_CHECK(steps >= 0,
              "ComplementaryLearningSystem::sleep: argument 'steps' expected >= 0, got ", steps);
  const int64_t n = stored();
  if (n == 0)
    return;
  const auto s = hippocampus_->state();
  const at::Tensor x = s.keys[0].narrow(0, 0, n).detach();
  const at::Tensor y = s.values[0].narrow(0, 0, n).argmax(1);
  sgd_steps(x, y, steps);
}

void ComplementaryLearningSystemImpl::lesion() {
  hippocampus_->reset_state(1);
}

at::Tensor ComplementaryLearningSystemImpl::cortex_logits(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options.input_size(),
              "ComplementaryLearningSystem: argument 'x' expected [B, ", options.input_size(),
              "], got ", x.sizes());
  return cortex_->forward(x.to(at::kFloat));
}

at::Tensor ComplementaryLearningSystemImpl::forward(const at::Tensor& x) {
  const at::Tensor cortex = at::softmax(cortex_logits(x), -1);
  if (stored() == 0)
    return cortex;
  at::NoGradGuard no_grad;
  const auto s = hippocampus_->state();
  const int64_t n = stored();
  // How well each cue matches its best stored key (cosine, clamped to [0, 1]) weighs the
  // hippocampus's recalled response against the cortex's.
  const at::Tensor keys = s.keys[0].narrow(0, 0, n);
  const at::Tensor xf = x.to(at::kFloat);
  auto unit = [](const at::Tensor& t) { return t / t.norm(2, 1, true).clamp_min(1e-8); };
  const at::Tensor cos = at::mm(unit(xf), unit(keys).t());
  const at::Tensor match = std::get<0>(cos.max(1)).clamp(0, 1).unsqueeze(1);
  const at::Tensor weights = at::softmax(options.recall_sharpness() * cos, 1);
  const at::Tensor hippocampal = at::mm(weights, s.values[0].narrow(0, 0, n));
  return match * hippocampal + (1 - match) * cortex;
}

double ComplementaryLearningSystemImpl::accuracy(const at::Tensor& x, const at::Tensor& y,
                                                 bool system) {
  check_items("accuracy", x, y);
  at::NoGradGuard no_grad;
  const at::Tensor p = system ? forward(x) : cortex_logits(x);
  return p.argmax(1).eq(y).to(at::kDouble).mean().item<double>();
}

void ComplementaryLearningSystemImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::ComplementaryLearningSystem(input_size=" << options.input_size()
         << ", num_responses=" << options.num_responses() << ", hidden=" << options.hidden()
         << ", store_capacity=" << options.store_capacity()
         << ", cortex_learning_rate=" << options.cortex_learning_rate() << ")";
}

} // namespace engram::models::circuits
