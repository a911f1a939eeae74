#include <engram/ops/detail/op_checks.h>

#include <sstream>

namespace engram::ops::detail {

std::string shape_string(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

void check_defined(const char* fn, const char* name, const at::Tensor& t) {
  TORCH_CHECK(t.defined(), fn, ": argument '", name, "' expected a defined tensor, got undefined");
}

void check_dim(const char* fn, const char* name, const at::Tensor& t, int64_t dim) {
  check_defined(fn, name, t);
  TORCH_CHECK(t.dim() == dim, fn, ": argument '", name, "' expected ", dim, " dimensions, got ",
              t.dim(), " (shape ", shape_string(t), ")");
}

void check_sizes(const char* fn, const char* name, const at::Tensor& t,
                 const std::vector<int64_t>& expected) {
  check_defined(fn, name, t);
  TORCH_CHECK(t.sizes() == at::IntArrayRef(expected), fn, ": argument '", name, "' expected shape ",
              at::IntArrayRef(expected), ", got ", shape_string(t));
}

void check_floating(const char* fn, const char* name, const at::Tensor& t) {
  check_defined(fn, name, t);
  TORCH_CHECK(t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble, fn, ": argument '",
              name, "' expected dtype float32 or float64, got ", t.scalar_type());
}

void check_like(const char* fn, const char* name, const at::Tensor& t, const char* ref_name,
                const at::Tensor& ref) {
  check_defined(fn, name, t);
  TORCH_CHECK(t.device() == ref.device(), fn, ": argument '", name, "' expected device ",
              ref.device(), " (that of '", ref_name, "'), got ", t.device());
  TORCH_CHECK(t.scalar_type() == ref.scalar_type(), fn, ": argument '", name, "' expected dtype ",
              ref.scalar_type(), " (that of '", ref_name, "'), got ", t.scalar_type());
}

void check_scalar_shape(const char* fn, const char* name, const at::Tensor& t) {
  check_defined(fn, name, t);
  TORCH_CHECK(t.dim() == 0 || (t.dim() == 1 && t.size(0) == 1), fn, ": argument '", name,
              "' expected a scalar tensor (shape [] or [1]), got shape ", shape_string(t));
}

double check_scalar(const char* fn, const char* name, const at::Tensor& t) {
  check_scalar_shape(fn, name, t);
  return t.item<double>();
}

void check_rate(const char* fn, const char* name, const at::Tensor& eta) {
  if (!eta.is_cpu()) {
    // Reading the value would synchronise with the device (and break CUDA-graph capture):
    // checked asynchronously on the device instead.
    check_scalar_shape(fn, name, eta);
    at::_assert_async(eta.reshape({}).ge(0),
                      std::string(fn) + ": argument '" + name + "' expected a rate >= 0");
    return;
  }
  const double value = check_scalar(fn, name, eta);
  TORCH_CHECK(value >= 0.0, fn, ": argument '", name, "' expected a rate >= 0, got ", value);
}

void check_clip(const char* fn, const std::optional<double>& clip) {
  if (clip) {
    TORCH_CHECK(*clip > 0.0, fn, ": option 'clip' expected a value > 0, got ", *clip);
  }
}

} // namespace engram::ops::detail
