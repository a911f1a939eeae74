#pragma once
// Raw-pointer description of one hebbian_update forward, shared by the CPU loop and the CUDA
// kernel (no ATen in the .cu file).
#include <engram/core/plasticity.h>

#include <cstdint>

namespace engram::ops::detail {

template <typename scalar_t>
struct HebbianForwardArgs {
  int64_t B = 0, I = 0, O = 0;
  bool shared = false; // H is [I, O]: increments averaged over the batch
  HebbianRule rule = HebbianRule::kHebb;
  double eta = 0.0;
  const scalar_t* eta_ptr = nullptr; // device-resident η (CUDA); replaces eta when set
  double clip = 0.0;                 // <= 0: none
  const scalar_t* H = nullptr;       // [B, I, O] or [I, O]
  const scalar_t* pre = nullptr;     // [B, I]
  const scalar_t* post = nullptr;    // [B, O]
  const scalar_t* m = nullptr;       // null, [B] or [B, O]
  bool m_per_post = false;
  const scalar_t* pre_mean = nullptr;  // [B, I] (covariance) or null = 0
  const scalar_t* post_mean = nullptr; // [B, O] (covariance) or null = 0
  const scalar_t* theta = nullptr;     // [B, O] (bcm) or null = 0
  scalar_t* H_out = nullptr;           // like H
};

void hebbian_update_forward_cpu(const HebbianForwardArgs<float>& a);
void hebbian_update_forward_cpu(const HebbianForwardArgs<double>& a);

// The raw-pointer forward kernel of one backend (CPU: hebbian_update_cpu.cpp, CUDA: cuda/).
struct HebbianKernels {
  void (*f32)(const HebbianForwardArgs<float>&) = nullptr;
  void (*f64)(const HebbianForwardArgs<double>&) = nullptr;
  void run(const HebbianForwardArgs<float>& a) const { f32(a); }
  void run(const HebbianForwardArgs<double>& a) const { f64(a); }
};

// The per-element rule, shared by host and device code.
#if defined(__CUDACC__)
#define ENGRAM_HD __host__ __device__ __forceinline__
#else
#define ENGRAM_HD inline
#endif

template <typename S>
ENGRAM_HD S hebbian_increment(HebbianRule rule, S x, S y, S h, S pm, S qm, S th) {
  switch (rule) {
  case HebbianRule::kHebb:
    return x * y;
  case HebbianRule::kOja:
    return y * (x - y * h);
  case HebbianRule::kCovariance:
    return (x - pm) * (y - qm);
  case HebbianRule::kBcm:
    return x * y * (y - th);
  case HebbianRule::kSanger: // the weight-only rules: refused by check_hebbian_update
  case HebbianRule::kSoftWta:
  case HebbianRule::kHardWta:
    break;
  }
  return S(0);
}

} // namespace engram::ops::detail
