// The fused CPU kernels of engram::gated_memory_layer, _gated_memory_layer_forward and
// _gated_memory_layer_backward: the shared algorithm (detail/gated_memory_layer_bptt.h) on
// oneDNN's batch-reduce GEMM micro-kernel and element-wise loops over the batch rows, and their
// registration as the operators' CPU kernels.
#include <engram/ops/detail/gated_memory_layer_bptt.h>

#include <torch/library.h>

#include <ATen/Parallel.h>
#include <ATen/native/CPUBlas.h>

#include <algorithm>

namespace engram::ops::detail {
namespace {

// Rows of the batch per parallel task of a step's element-wise work: about GRAIN_SIZE / 8 gate
// elements (4 rows of 4 x 256 gates at hidden 256), so that batch 32 splits over two threads
// while tiny layers stay on one; measured on the hidden-256 benchmark (bench/RESULTS.md).
int64_t rows_per_task(int64_t hidden) {
  return std::max<int64_t>(1, at::internal::GRAIN_SIZE / (32 * hidden));
}

// c = a · b (accumulate: c += a · b), all row-major and contiguous: a [M, K], b [K, N], c [M, N].
// In float it runs on oneDNN's batch-reduce GEMM micro-kernel (JIT-compiled for the host; the
// kernel family torch::nn::LSTM's CPU path is built on): 32-row x <=128-column tiles spread over
// the intra-op threads, each summed over 256-deep slices of K that stay in cache. at::mm threads
// poorly at the per-step size (M = batch) and, on AMD hosts, MKL takes its generic code path.
void matmul_into_cpu(const at::Tensor& a, const at::Tensor& b, at::Tensor& c, bool accumulate) {
#ifdef CPUBLAS_BRGEMM_F32F32F32
  if (a.scalar_type() == at::kFloat) {
    const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
    if (k == 0) { // no product to take: c keeps or becomes zero
      if (!accumulate)
        c.zero_();
      return;
    }
    const float* pa = a.data_ptr<float>();
    const float* pb = b.data_ptr<float>();
    float* pc = c.data_ptr<float>();
    constexpr int64_t kRows = 32, kDepth = 256;
    const int64_t row_blocks = (m + kRows - 1) / kRows;
    // Enough column blocks to feed every thread, in multiples of 16 floats (one AVX-512 register).
    const int64_t threads = at::get_num_threads();
    const int64_t per_thread = (n + threads - 1) / threads;
    const int64_t cols = row_blocks >= threads
                             ? std::min<int64_t>(n, 128)
                             : std::clamp<int64_t>((per_thread + 15) / 16 * 16, 16, 128);
    const int64_t col_blocks = (n + cols - 1) / cols;
    at::parallel_for(0, row_blocks * col_blocks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t tile = begin; tile < end; ++tile) {
        const int64_t r0 = (tile / col_blocks) * kRows, c0 = (tile % col_blocks) * cols;
        for (int64_t k0 = 0; k0 < k; k0 += kDepth) {
          at::native::cpublas::brgemm(std::min(kRows, m - r0), std::min(cols, n - c0),
                                      std::min(kDepth, k - k0), k, n, n, accumulate || k0 > 0,
                                      pa + r0 * k + k0, pb + k0 * n + c0, pc + r0 * n + c0);
        }
      }
      at::native::cpublas::brgemm_release(/*is_vnni=*/false);
    });
    return;
  }
#endif
  if (accumulate) {
    c.addmm_(a, b);
  } else {
    at::mm_out(c, a, b);
  }
}

// Gate activations and the cell update of one step; `gates` holds the pre-activations on entry
// and the activations (i, f, g, o) on exit, so that the backward pass can reuse them.
template <typename scalar_t>
void cell_forward_step(at::Tensor& gates, const at::Tensor& c_prev, const at::Tensor& peephole,
                       at::Tensor& c_out, at::Tensor& tanh_c_out, at::Tensor& h_out) {
  const int64_t batch = gates.size(0);
  const int64_t hidden = gates.size(1) / 4;
  scalar_t* g = gates.data_ptr<scalar_t>();
  const scalar_t* cp = c_prev.data_ptr<scalar_t>();
  const scalar_t* peep = peephole.defined() ? peephole.data_ptr<scalar_t>() : nullptr;
  if (peep != nullptr) { // cell-to-gate connections read the previous cell state
    at::parallel_for(0, batch, rows_per_task(hidden), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        scalar_t* row = g + b * 4 * hidden;
        const scalar_t* crow = cp + b * hidden;
        for (int64_t j = 0; j < hidden; ++j) {
          row[j] += peep[j] * crow[j];
          row[hidden + j] += peep[hidden + j] * crow[j];
        }
      }
    });
  }
  // ATen's vectorised activations, in place on strided slices of the gate block.
  gates.narrow(1, 0, 2 * hidden).sigmoid_();
  gates.narrow(1, 2 * hidden, hidden).tanh_();
  scalar_t* c = c_out.data_ptr<scalar_t>();
  at::parallel_for(0, batch, rows_per_task(hidden), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const scalar_t* row = g + b * 4 * hidden;
      const scalar_t* crow = cp + b * hidden;
      scalar_t* cout = c + b * hidden;
      for (int64_t j = 0; j < hidden; ++j) {
        cout[j] = row[hidden + j] * crow[j] + row[j] * row[2 * hidden + j];
      }
    }
  });
  if (peep != nullptr) {
    at::parallel_for(0, batch, rows_per_task(hidden), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        scalar_t* row = g + b * 4 * hidden;
        const scalar_t* cout = c + b * hidden;
        for (int64_t j = 0; j < hidden; ++j)
          row[3 * hidden + j] += peep[2 * hidden + j] * cout[j];
      }
    });
  }
  gates.narrow(1, 3 * hidden, hidden).sigmoid_();
  at::tanh_out(tanh_c_out, c_out);
  at::mul_out(h_out, gates.narrow(1, 3 * hidden, hidden), tanh_c_out);
}

// Turns dL/dh and dL/dc of one step into the pre-activation gradients of its gates, and
// overwrites `dc` with dL/dc of the previous step. Plain multiply-adds: no transcendentals.
template <typename scalar_t>
void cell_backward_step(const at::Tensor& gates, const at::Tensor& tanh_c, const at::Tensor& c_prev,
                        const at::Tensor& peephole, const at::Tensor& dh, at::Tensor& dc,
                        at::Tensor& dgates) {
  const int64_t batch = gates.size(0);
  const int64_t hidden = gates.size(1) / 4;
  const scalar_t* g = gates.data_ptr<scalar_t>();
  const scalar_t* tc = tanh_c.data_ptr<scalar_t>();
  const scalar_t* cp = c_prev.data_ptr<scalar_t>();
  const scalar_t* peep = peephole.defined() ? peephole.data_ptr<scalar_t>() : nullptr;
  const scalar_t* dhp = dh.data_ptr<scalar_t>();
  scalar_t* dcp = dc.data_ptr<scalar_t>();
  scalar_t* dg = dgates.data_ptr<scalar_t>();
  at::parallel_for(0, batch, rows_per_task(hidden), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const scalar_t* row = g + b * 4 * hidden;
      scalar_t* drow = dg + b * 4 * hidden;
      const int64_t s = b * hidden;
      for (int64_t j = 0; j < hidden; ++j) {
        const scalar_t i = row[j], f = row[hidden + j], gg = row[2 * hidden + j],
                       o = row[3 * hidden + j];
        const scalar_t t = tc[s + j];
        const scalar_t d_h = dhp[s + j];
        const scalar_t da_o = d_h * t * o * (scalar_t(1) - o);
        scalar_t d_c = dcp[s + j] + d_h * o * (scalar_t(1) - t * t);
        if (peep != nullptr)
          d_c += da_o * peep[2 * hidden + j];
        const scalar_t da_i = d_c * gg * i * (scalar_t(1) - i);
        const scalar_t da_f = d_c * cp[s + j] * f * (scalar_t(1) - f);
        const scalar_t da_g = d_c * i * (scalar_t(1) - gg * gg);
        scalar_t d_cprev = d_c * f;
        if (peep != nullptr)
          d_cprev += da_i * peep[j] + da_f * peep[hidden + j];
        drow[j] = da_i;
        drow[hidden + j] = da_f;
        drow[2 * hidden + j] = da_g;
        drow[3 * hidden + j] = da_o;
        dcp[s + j] = d_cprev;
      }
    }
  });
}

struct CpuOps {
  static void matmul_into(const at::Tensor& a, const at::Tensor& b, at::Tensor& c,
                          bool accumulate) {
    matmul_into_cpu(a, b, c, accumulate);
  }
  static void cell_forward(at::Tensor& gates, const at::Tensor& c_prev, const at::Tensor& peephole,
                           at::Tensor& c, at::Tensor& tanh_c, at::Tensor& h) {
    AT_DISPATCH_FLOATING_TYPES(gates.scalar_type(), "gated_memory_layer_forward", [&] {
      cell_forward_step<scalar_t>(gates, c_prev, peephole, c, tanh_c, h);
    });
  }
  static void cell_backward(const at::Tensor& gates, const at::Tensor& tanh_c,
                            const at::Tensor& c_prev, const at::Tensor& peephole,
                            const at::Tensor& dh, at::Tensor& dc, at::Tensor& dgates) {
    AT_DISPATCH_FLOATING_TYPES(gates.scalar_type(), "gated_memory_layer_backward", [&] {
      cell_backward_step<scalar_t>(gates, tanh_c, c_prev, peephole, dh, dc, dgates);
    });
  }
};

} // namespace

TORCH_LIBRARY_IMPL(engram, CPU, m) {
  m.impl("gated_memory_layer", TORCH_FN(gated_memory_layer_kernel<CpuOps>));
  m.impl("_gated_memory_layer_forward", TORCH_FN(gated_memory_layer_forward_kernel<CpuOps>));
  m.impl("_gated_memory_layer_backward", TORCH_FN(gated_memory_layer_backward_kernel<CpuOps>));
}

} // namespace engram::ops::detail
