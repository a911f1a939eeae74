// CUDA kernels of the plastic ops. plastic_rnn: one block per batch element runs all T steps;
// thread j owns column j of the trace (post unit j), so the trace update and the next
// pre-activation a_{t+1}[j] = U[j] + Σ_i (Wᵀ + A ⊙ H)[i, j] h_t[i] need no cross-thread reduction.
// The trace lives in shared memory when it fits, else in the global output buffer (coalesced:
// consecutive threads read consecutive columns of a row). Accumulation in the input precision
// (fp32 for float).
#include <engram/ops/cuda/plastic_kernels.h>

#include <cuda_runtime.h>

#include <type_traits>

namespace engram::ops::cuda {
namespace {

using detail::HebbianForwardArgs;
using detail::PlasticRnnForwardArgs;

template <typename S>
__device__ __forceinline__ S clamp_value(S v, S c) {
  return v < -c ? -c : (v > c ? c : v);
}

template <typename S>
__device__ __forceinline__ S tanh_of(S v);
template <>
__device__ __forceinline__ float tanh_of(float v) {
  return tanhf(v);
}
template <>
__device__ __forceinline__ double tanh_of(double v) {
  return tanh(v);
}

template <typename S>
__device__ S block_sum(S v, S* red) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    v += __shfl_down_sync(0xffffffffu, v, offset);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) {
    red[warp] = v;
  }
  __syncthreads();
  S total = 0;
  if (threadIdx.x == 0) {
    const int warps = (blockDim.x + 31) / 32;
    for (int w = 0; w < warps; ++w) {
      total += red[w];
    }
    red[32] = total;
  }
  __syncthreads();
  total = red[32];
  __syncthreads();
  return total;
}

// kShared: H (and E) in dynamic shared memory; else in the global output buffers.
template <typename S, bool kOja, Modulation kMod, bool kShared>
__global__ void __launch_bounds__(kPlasticRnnMaxThreads)
    plastic_rnn_forward_kernel(PlasticRnnForwardArgs<S> a) {
  extern __shared__ __align__(16) unsigned char smem_raw[];
  S* smem = reinterpret_cast<S*>(smem_raw);
  constexpr bool kRetro = kMod == Modulation::kRetroactive;
  constexpr bool kModulated = kMod != Modulation::kNone;
  const int64_t N = a.N, NN = N * N, B = a.B, T = a.T;
  const int64_t b = blockIdx.x;
  S* x_s = smem;    // h_{t-1}
  S* y_s = x_s + N; // h_t
  S* a_s = y_s + N; // pre-activation
  S* red = a_s + N; // 33 reduction slots
  S* H;
  S* E = nullptr;
  if (kShared) {
    H = red + 33;
    E = kRetro ? H + NN : nullptr;
  } else {
    H = a.H + b * NN;
    E = kRetro ? a.E + b * NN : nullptr;
  }
  // η and b_m from device memory when given there (no host read before the launch).
  const S eta = a.eta_ptr != nullptr ? *a.eta_ptr : static_cast<S>(a.eta);
  const S c = a.clip > 0 ? static_cast<S>(a.clip) : static_cast<S>(1e30);
  const S b_m = a.b_m_ptr != nullptr ? *a.b_m_ptr : static_cast<S>(a.b_m);
  for (int64_t k = threadIdx.x; k < NN; k += blockDim.x) {
    H[k] = a.H0[b * NN + k];
    if (kRetro) {
      E[k] = a.E0 ? a.E0[b * NN + k] : S(0);
    }
  }
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
    x_s[j] = a.h0[b * N + j];
  }
  __syncthreads();
  if (T == 0) {
    if (kShared) {
      for (int64_t k = threadIdx.x; k < NN; k += blockDim.x) {
        a.H[b * NN + k] = H[k];
        if (kRetro) {
          a.E[b * NN + k] = E[k];
        }
      }
    }
    return;
  }
  for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
    S acc = a.U[b * N + j];
    for (int64_t i = 0; i < N; ++i) {
      acc += (a.WT[i * N + j] + a.A[i * a.A_stride + j] * H[i * N + j]) * x_s[i];
    }
    a_s[j] = acc;
  }
  __syncthreads();
  for (int64_t t = 1; t <= T; ++t) {
    if (a.ckH != nullptr && (t - 1) % a.chunk == 0) {
      const int64_t k0 = ((t - 1) / a.chunk * B + b) * NN;
      for (int64_t k = threadIdx.x; k < NN; k += blockDim.x) {
        a.ckH[k0 + k] = H[k];
        if (kRetro) {
          a.ckE[k0 + k] = E[k];
        }
      }
    }
    S partial = 0;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
      const S y = tanh_of(a_s[j]);
      y_s[j] = y;
      a.out[((t - 1) * B + b) * N + j] = y;
      if (kModulated && a.m_given == nullptr) {
        partial += a.w_m[j] * y;
      }
    }
    __syncthreads();
    S m = 0;
    if (kModulated) {
      if (a.m_given != nullptr) {
        m = a.m_given[(t - 1) * B + b];
      } else {
        m = tanh_of(block_sum(partial, red) + b_m);
      }
      if (threadIdx.x == 0) {
        a.m_used[(t - 1) * B + b] = m;
      }
    }
    const bool last = t == T;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
      const S yj = y_s[j];
      S acc = last ? S(0) : a.U[(t * B + b) * N + j];
      for (int64_t i = 0; i < N; ++i) {
        const int64_t k = i * N + j;
        const S h = H[k];
        const S xi = x_s[i];
        const S D = kOja ? yj * (xi - yj * h) : xi * yj;
        S next;
        if (kMod == Modulation::kNone) {
          next = kOja ? h + eta * D : (S(1) - eta) * h + eta * D;
        } else if (kMod == Modulation::kSimple) {
          next = h + m * D;
        } else {
          const S e = E[k];
          next = h + m * e;
          E[k] = (S(1) - eta) * e + eta * D;
        }
        next = clamp_value(next, c);
        H[k] = next;
        acc += (a.WT[k] + a.A[i * a.A_stride + j] * next) * y_s[i];
      }
      a_s[j] = acc;
    }
    __syncthreads();
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
      x_s[j] = y_s[j];
    }
    __syncthreads();
  }
  if (kShared) {
    for (int64_t k = threadIdx.x; k < NN; k += blockDim.x) {
      a.H[b * NN + k] = H[k];
      if (kRetro) {
        a.E[b * NN + k] = E[k];
      }
    }
  }
}

template <typename S, bool kOja, Modulation kMod>
cudaError_t launch_rule(const PlasticRnnForwardArgs<S>& a, cudaStream_t stream) {
  constexpr bool kRetro = kMod == Modulation::kRetroactive;
  int threads = static_cast<int>(((a.N + 31) / 32) * 32);
  threads = threads < 32 ? 32 : (threads > kPlasticRnnMaxThreads ? kPlasticRnnMaxThreads : threads);
  const size_t vectors = plastic_rnn_vector_bytes(a.N, sizeof(S));
  const size_t traces = plastic_rnn_trace_bytes(a.N, sizeof(S), kRetro);
  int device = 0;
  cudaError_t err = cudaGetDevice(&device);
  if (err != cudaSuccess) {
    return err;
  }
  int optin = 0;
  err = cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
  if (err != cudaSuccess) {
    return err;
  }
  if (vectors > static_cast<size_t>(optin)) {
    return cudaErrorInvalidValue; // the caller checks this size first and names the limit
  }
  const dim3 grid(static_cast<unsigned>(a.B));
  const bool shared = vectors + traces <= static_cast<size_t>(optin);
  const size_t bytes = shared ? vectors + traces : vectors;
  auto kernel = shared ? plastic_rnn_forward_kernel<S, kOja, kMod, true>
                       : plastic_rnn_forward_kernel<S, kOja, kMod, false>;
  if (bytes > kDefaultSharedMemoryBytes) {
    err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(bytes));
    if (err != cudaSuccess) {
      return err;
    }
  }
  kernel<<<grid, threads, bytes, stream>>>(a);
  return cudaGetLastError();
}

template <typename S>
cudaError_t launch_forward(const PlasticRnnForwardArgs<S>& a, cudaStream_t stream) {
  if (a.B == 0 || a.N == 0) {
    return cudaSuccess;
  }
  const auto launch = [&](auto oja) {
    constexpr bool kOja = decltype(oja)::value;
    switch (a.modulation) {
    case Modulation::kNone:
      return launch_rule<S, kOja, Modulation::kNone>(a, stream);
    case Modulation::kSimple:
      return launch_rule<S, kOja, Modulation::kSimple>(a, stream);
    case Modulation::kRetroactive:
      break;
    }
    return launch_rule<S, kOja, Modulation::kRetroactive>(a, stream);
  };
  return a.oja ? launch(std::true_type{}) : launch(std::false_type{});
}

// hebbian_update: one thread per trace element; a shared trace sums its batch in-thread.
template <typename S>
__global__ void __launch_bounds__(kHebbianUpdateThreads)
    hebbian_update_kernel(HebbianForwardArgs<S> a) {
  const int64_t I = a.I, O = a.O, B = a.B;
  const int64_t total = a.shared ? I * O : B * I * O;
  const S eta = a.eta_ptr != nullptr ? *a.eta_ptr : static_cast<S>(a.eta);
  const S c = a.clip > 0 ? static_cast<S>(a.clip) : static_cast<S>(1e30);
  const S decay = a.rule == HebbianRule::kHebb ? S(1) - eta : S(1);
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t j = idx % O;
    const int64_t i = (idx / O) % I;
    const S h = a.H[idx];
    const int64_t b_begin = a.shared ? 0 : idx / (I * O);
    const int64_t b_end = a.shared ? B : b_begin + 1;
    S sum = 0;
    for (int64_t b = b_begin; b < b_end; ++b) {
      const S m = a.m == nullptr ? S(1) : (a.m_per_post ? a.m[b * O + j] : a.m[b]);
      const S pm = a.pre_mean ? a.pre_mean[b * I + i] : S(0);
      const S qm = a.post_mean ? a.post_mean[b * O + j] : S(0);
      const S th = a.theta ? a.theta[b * O + j] : S(0);
      sum +=
          m * detail::hebbian_increment(a.rule, a.pre[b * I + i], a.post[b * O + j], h, pm, qm, th);
    }
    const S scale = a.shared ? (B > 0 ? eta / static_cast<S>(B) : S(0)) : eta;
    a.H_out[idx] = clamp_value(decay * h + scale * sum, c);
  }
}

template <typename S>
cudaError_t launch_hebbian(const HebbianForwardArgs<S>& a, cudaStream_t stream) {
  const int64_t total = a.shared ? a.I * a.O : a.B * a.I * a.O;
  if (total == 0) {
    return cudaSuccess;
  }
  const int threads = kHebbianUpdateThreads;
  int64_t blocks = (total + threads - 1) / threads;
  blocks = blocks > 65535 ? 65535 : blocks;
  hebbian_update_kernel<S><<<static_cast<unsigned>(blocks), threads, 0, stream>>>(a);
  return cudaGetLastError();
}

} // namespace

cudaError_t launch_plastic_rnn_forward(const detail::PlasticRnnForwardArgs<float>& a,
                                       cudaStream_t stream) {
  return launch_forward(a, stream);
}
cudaError_t launch_plastic_rnn_forward(const detail::PlasticRnnForwardArgs<double>& a,
                                       cudaStream_t stream) {
  return launch_forward(a, stream);
}
cudaError_t launch_hebbian_update_forward(const detail::HebbianForwardArgs<float>& a,
                                          cudaStream_t stream) {
  return launch_hebbian(a, stream);
}
cudaError_t launch_hebbian_update_forward(const detail::HebbianForwardArgs<double>& a,
                                          cudaStream_t stream) {
  return launch_hebbian(a, stream);
}

} // namespace engram::ops::cuda
