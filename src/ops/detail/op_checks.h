#pragma once
// Argument checks shared by the plastic ops: every failure names the function, the argument, the
// expected and the actual value.
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace engram::ops::detail {

std::string shape_string(const at::Tensor& t);

void check_defined(const char* fn, const char* name, const at::Tensor& t);
void check_dim(const char* fn, const char* name, const at::Tensor& t, int64_t dim);
void check_sizes(const char* fn, const char* name, const at::Tensor& t,
                 const std::vector<int64_t>& expected);
// float32 or float64
void check_floating(const char* fn, const char* name, const at::Tensor& t);
// Same device and dtype as `ref` (named ref_name).
void check_like(const char* fn, const char* name, const at::Tensor& t, const char* ref_name,
                const at::Tensor& ref);
// 0-dim or one element.
void check_scalar_shape(const char* fn, const char* name, const at::Tensor& t);
// 0-dim or one element; returns its value (a host read).
double check_scalar(const char* fn, const char* name, const at::Tensor& t);
// η: a scalar >= 0 (on a device: checked there asynchronously, without a host read).
void check_rate(const char* fn, const char* name, const at::Tensor& eta);
void check_clip(const char* fn, const std::optional<double>& clip);

} // namespace engram::ops::detail
