#include <engram/models/continual_batch_norm.h>

#include <engram/models/detail/layer_options.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace engram::models {
using detail::expect_image_input;
using detail::flag_or;
using detail::number_in;
using detail::positive_number;

const char* to_string(BatchNormStats stats) {
  switch (stats) {
  case BatchNormStats::kRunning:
    return "running";
  case BatchNormStats::kFrozenAfterFirstTask:
    return "frozen_after_first_task";
  }
  return "?";
}

BatchNormStats parse_batch_norm_stats(const std::string& name, const std::string& what) {
  for (auto s : {BatchNormStats::kRunning, BatchNormStats::kFrozenAfterFirstTask}) {
    if (name == to_string(s))
      return s;
  }
  TORCH_CHECK(false, what, ": expected one of running, frozen_after_first_task; got '", name, "'");
}

ContinualBatchNorm2dImpl::ContinualBatchNorm2dImpl(const ContinualBatchNorm2dOptions& options_)
    : options(options_) {
  reset();
}

void ContinualBatchNorm2dImpl::reset() {
  TORCH_CHECK(options.num_features() >= 1,
              "ContinualBatchNorm2d: option 'num_features' expected >= 1, got ",
              options.num_features());
  TORCH_CHECK(options.momentum() >= 0 && options.momentum() <= 1,
              "ContinualBatchNorm2d: option 'momentum' expected in [0, 1], got ",
              options.momentum());
  TORCH_CHECK(options.eps() > 0, "ContinualBatchNorm2d: option 'eps' expected > 0, got ",
              options.eps());
  bn = register_module("bn",
                       torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.num_features())
                                                  .momentum(options.momentum())
                                                  .eps(options.eps())));
}

void ContinualBatchNorm2dImpl::reset_parameters() {
  bn->reset_parameters();
}

at::Tensor ContinualBatchNorm2dImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == options.num_features(),
              "ContinualBatchNorm2d::forward: argument 'x' expected [B, ", options.num_features(),
              ", H, W], got ", x.sizes());
  if (options.frozen())
    return at::batch_norm(x, bn->weight.detach(), bn->bias.detach(), bn->running_mean,
                          bn->running_var, /*training=*/false, options.momentum(), options.eps(),
                          /*cudnn_enabled=*/true);
  if (is_training() && stats_frozen_)
    return at::batch_norm(x, bn->weight, bn->bias, bn->running_mean, bn->running_var,
                          /*training=*/false, options.momentum(), options.eps(),
                          /*cudnn_enabled=*/true);
  return bn->forward(x);
}

void ContinualBatchNorm2dImpl::begin_task(int64_t task) {
  stats_frozen_ = options.stats() == BatchNormStats::kFrozenAfterFirstTask && task >= 1;
}

void ContinualBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::ContinualBatchNorm2d(" << options.num_features()
         << ", momentum=" << options.momentum() << ", eps=" << options.eps()
         << ", stats=" << to_string(options.stats()) << (options.frozen() ? ", frozen=true" : "")
         << ")";
}

void add_batch_norm_layer_types(std::map<std::string, LayerType>& types) {
  types["batchnorm2d"] = LayerType{
      {{"momentum", ParamKind::kNumber},
       {"eps", ParamKind::kNumber},
       {"bn_stats", ParamKind::kString},
       {"freeze", ParamKind::kBool}},
      {},
      [](const LayerSpec& s, const Shape& in) {
        expect_image_input(s, in);
        ContinualBatchNorm2dOptions o(in[0]);
        o.momentum(number_in(s, "momentum", 0.1, 0.0, 1.0))
            .eps(positive_number(s, "eps", 1e-5))
            .stats(s.strings.count("bn_stats")
                       ? parse_batch_norm_stats(s.strings.at("bn_stats"), s.path + ".bn_stats")
                       : BatchNormStats::kRunning)
            .frozen(flag_or(s, "freeze", false));
        return NetworkLayer{"batchnorm2d", torch::nn::AnyModule(ContinualBatchNorm2d(o)),
                            shape_numel(in), false, in};
      }};
}

} // namespace engram::models
