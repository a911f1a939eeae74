#pragma once
// Validation of plastic_rnn arguments, shared by the fused op and the reference.
#include <engram/ops/plastic_rnn.h>

namespace engram::ops::detail {

struct PlasticRnnDims {
  int64_t T = 0, B = 0, I = 0, N = 0;
  AlphaShape alpha_shape = AlphaShape::kScalar; // inferred from alpha's shape
  bool modulated = false;                       // simple or retroactive
  bool given_m = false; // m passed as input (else computed by the head w_m, b_m)
  int64_t chunk = 1;
};

PlasticRnnDims check_plastic_rnn(const char* fn, const at::Tensor& x, const at::Tensor& h0,
                                 const at::Tensor& H0, const at::Tensor& W_in, const at::Tensor& W,
                                 const at::Tensor& alpha, const at::Tensor& b,
                                 const at::Tensor& eta, const PlasticRnnModulationInputs& mod,
                                 const PlasticRnnOptions& options);

} // namespace engram::ops::detail
