#include <engram/models/circuits/hippocampal_formation.h>
#include <engram/models/circuits/sparse_patterns.h>

#include <c10/util/Exception.h>

#include <cmath>
#include <ostream>

namespace engram::models::circuits {

HippocampalFormationImpl::HippocampalFormationImpl(HippocampalFormationOptions options_)
    : options(std::move(options_)) {
  const char* n = "HippocampalFormation: option '";
  TORCH_CHECK(options.ec_size() >= 2, n, "ec_size' expected >= 2, got ", options.ec_size());
  TORCH_CHECK(options.ca3_size() >= 2, n, "ca3_size' expected >= 2, got ", options.ca3_size());
  TORCH_CHECK(options.dg_expansion() >= 1 && options.dg_expansion() <= 100, n,
              "dg_expansion' expected an integer in [1, 100], got ", options.dg_expansion());
  for (const auto& [name, v] : {std::pair{"ec_activity", options.ec_activity()},
                                std::pair{"dg_activity", options.dg_activity()},
                                std::pair{"ca3_activity", options.ca3_activity()}})
    TORCH_CHECK(v > 0 && v <= 0.5, n, name, "' expected a number in (0, 0.5], got ", v);
  TORCH_CHECK(options.mossy_inputs() >= 1 && options.mossy_inputs() <= dg_size(), n,
              "mossy_inputs' expected an integer in [1, ", dg_size(), "], got ",
              options.mossy_inputs());
  TORCH_CHECK(options.recall_steps() >= 0, n, "recall_steps' expected >= 0, got ",
              options.recall_steps());
  TORCH_CHECK(options.dg_turnover() >= 0 && options.dg_turnover() <= 1, n,
              "dg_turnover' expected a number in [0, 1], got ", options.dg_turnover());
  reset();
}

void HippocampalFormationImpl::reset() {
  const int64_t ec = options.ec_size(), ca3 = options.ca3_size(), dg = dg_size();
  ec_dg_ = register_buffer("ec_dg", at::zeros({dg, ec}));
  dg_ca3_ = register_buffer("dg_ca3", at::zeros({ca3, dg}));
  ec_ca3_random_ = register_buffer("ec_ca3_random", at::zeros({ca3, ec}));
  ec_ca3_ = register_buffer("ec_ca3", at::zeros({ca3, ec}));
  ca3_ca3_ = register_buffer("ca3_ca3", at::zeros({ca3, ca3}));
  ca3_ca1_ = register_buffer("ca3_ca1", at::zeros({ec, ca3}));
  stored_ = register_buffer("stored", at::zeros({}, at::kLong));
  reset_parameters();
}

void HippocampalFormationImpl::draw_mossy_fibres() {
  // Each CA3 cell: mossy_inputs distinct random granule cells, weights uniform in [0.5, 1.5).
  const int64_t ca3 = options.ca3_size(), dg = dg_size();
  const at::Tensor chosen =
      k_winners_take_all(at::rand({ca3, dg}, dg_ca3_.options()), options.mossy_inputs());
  dg_ca3_.copy_(chosen * (0.5 + at::rand({ca3, dg}, dg_ca3_.options())));
}

void HippocampalFormationImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  ec_dg_.normal_();
  draw_mossy_fibres();
  ec_ca3_random_.normal_();
  ec_ca3_.zero_();
  ca3_ca3_.zero_();
  ca3_ca1_.zero_();
  stored_.zero_();
}

int64_t HippocampalFormationImpl::k_of(double activity, int64_t size) const {
  return std::max<int64_t>(1, std::lround(activity * static_cast<double>(size)));
}

void HippocampalFormationImpl::check_ec(const char* fn, const at::Tensor& ec) const {
  TORCH_CHECK(ec.dim() == 2 && ec.size(1) == options.ec_size(), "HippocampalFormation::", fn,
              ": argument expected EC patterns [B, ", options.ec_size(), "], got ", ec.sizes());
  TORCH_CHECK(ec.is_floating_point(), "HippocampalFormation::", fn,
              ": argument expected a floating-point tensor, got ", ec.scalar_type());
}

at::Tensor HippocampalFormationImpl::dentate_gyrus(const at::Tensor& ec) const {
  check_ec("dentate_gyrus", ec);
  at::NoGradGuard no_grad;
  return k_winners_take_all(at::mm(ec.to(ec_dg_.options()), ec_dg_.t()),
                            k_of(options.dg_activity(), dg_size()));
}

at::Tensor HippocampalFormationImpl::encode(const at::Tensor& ec) const {
  check_ec("encode", ec);
  at::NoGradGuard no_grad;
  const at::Tensor drive = options.dentate_gyrus()
                               ? at::mm(dentate_gyrus(ec), dg_ca3_.t())
                               : at::mm(ec.to(ec_ca3_random_.options()), ec_ca3_random_.t());
  return k_winners_take_all(drive, k_of(options.ca3_activity(), options.ca3_size()));
}

at::Tensor HippocampalFormationImpl::store(const at::Tensor& ec) {
  check_ec("store", ec);
  at::NoGradGuard no_grad;
  const at::Tensor x = ec.to(ca3_ca3_.options());
  const at::Tensor p = encode(x);
  const at::Tensor pc = p - options.ca3_activity(), xc = x - options.ec_activity();
  ca3_ca3_.add_(at::mm(pc.t(), pc));
  ca3_ca3_.fill_diagonal_(0);
  ec_ca3_.add_(at::mm(p.t(), xc));
  ca3_ca1_.add_(at::mm(xc.t(), pc));
  stored_.add_(ec.size(0));
  return p;
}

HippocampalRecall HippocampalFormationImpl::recall(const at::Tensor& cue) const {
  check_ec("recall", cue);
  at::NoGradGuard no_grad;
  const int64_t k3 = k_of(options.ca3_activity(), options.ca3_size());
  at::Tensor s = k_winners_take_all(at::mm(cue.to(ec_ca3_.options()), ec_ca3_.t()), k3);
  for (int64_t t = 0; t < options.recall_steps(); ++t)
    s = k_winners_take_all(at::mm(s, ca3_ca3_.t()), k3);
  at::Tensor out =
      k_winners_take_all(at::mm(s, ca3_ca1_.t()), k_of(options.ec_activity(), options.ec_size()));
  return {s.to(cue.dtype()), out.to(cue.dtype())};
}

int64_t HippocampalFormationImpl::turnover() {
  const auto replaced =
      static_cast<int64_t>(std::lround(options.dg_turnover() * static_cast<double>(dg_size())));
  if (replaced == 0)
    return 0;
  at::NoGradGuard no_grad;
  const at::Tensor cells = at::randperm(dg_size(), at::kLong).narrow(0, 0, replaced);
  ec_dg_.index_copy_(0, cells, at::randn({replaced, options.ec_size()}, ec_dg_.options()));
  return replaced;
}

void HippocampalFormationImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::HippocampalFormation(ec_size=" << options.ec_size()
         << ", dg_size=" << dg_size() << ", ca3_size=" << options.ca3_size()
         << ", dg_activity=" << options.dg_activity() << ", ca3_activity=" << options.ca3_activity()
         << ", dentate_gyrus=" << options.dentate_gyrus() << ", stored=" << stored() << ")";
}

} // namespace engram::models::circuits
