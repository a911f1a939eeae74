#include <engram/layers/memory/gated_memory_layer_function.h>

#include <ATen/Parallel.h>
#include <ATen/native/CPUBlas.h>
#include <c10/util/irange.h>
#include <torch/autograd.h>

#include <algorithm>

namespace engram::layers::memory {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void check_layer_arguments(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0,
                           const at::Tensor& w_ih, const at::Tensor& w_hh, const at::Tensor& bias,
                           const at::Tensor& peephole) {
  TORCH_CHECK(x.dim() == 3, "gated_memory_layer: argument 'x' expected 3 dims [T, B, I], got ",
              x.sizes());
  TORCH_CHECK(x.size(0) > 0,
              "gated_memory_layer: argument 'x' expected a sequence length > 0, got ", x.size(0));
  TORCH_CHECK(w_hh.dim() == 2 && w_hh.size(0) == 4 * w_hh.size(1),
              "gated_memory_layer: argument 'w_hh' expected [4H, H], got ", w_hh.sizes());
  const int64_t hidden = w_hh.size(1);
  TORCH_CHECK(w_ih.dim() == 2 && w_ih.size(0) == 4 * hidden && w_ih.size(1) == x.size(2),
              "gated_memory_layer: argument 'w_ih' expected [", 4 * hidden, ", ", x.size(2),
              "], got ", w_ih.sizes());
  const std::vector<int64_t> state_shape{x.size(1), hidden};
  TORCH_CHECK(h0.sizes() == state_shape, "gated_memory_layer: argument 'h0' expected ",
              at::IntArrayRef(state_shape), " (batch ", x.size(1), " of the input), got ",
              h0.sizes());
  TORCH_CHECK(c0.sizes() == state_shape, "gated_memory_layer: argument 'c0' expected ",
              at::IntArrayRef(state_shape), " (batch ", x.size(1), " of the input), got ",
              c0.sizes());
  TORCH_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == 4 * hidden),
              "gated_memory_layer: argument 'bias' expected [", 4 * hidden, "], got ",
              bias.sizes());
  TORCH_CHECK(!peephole.defined() ||
                  (peephole.dim() == 2 && peephole.size(0) == 3 && peephole.size(1) == hidden),
              "gated_memory_layer: argument 'peephole' expected [3, ", hidden, "], got ",
              peephole.sizes());
}

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
void matmul_into(const at::Tensor& a, const at::Tensor& b, at::Tensor& c, bool accumulate) {
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

struct GatedMemoryLayerFunction : public torch::autograd::Function<GatedMemoryLayerFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& x_in,
                               const at::Tensor& h0_in, const at::Tensor& c0_in,
                               const at::Tensor& w_ih_in, const at::Tensor& w_hh_in,
                               const at::Tensor& bias_in, const at::Tensor& peephole_in) {
    const at::Tensor x = x_in.contiguous();
    const at::Tensor h0 = h0_in.contiguous();
    const at::Tensor c0 = c0_in.contiguous();
    const at::Tensor w_ih = w_ih_in.contiguous();
    const at::Tensor w_hh = w_hh_in.contiguous();
    // Absent bias and peepholes arrive as empty tensors: autograd cannot take undefined ones.
    const bool has_bias = bias_in.numel() > 0;
    const at::Tensor peephole = peephole_in.numel() > 0 ? peephole_in.contiguous() : at::Tensor();
    const int64_t steps = x.size(0), batch = x.size(1), input = x.size(2);
    const int64_t hidden = w_hh.size(1);

    // Input projections of all steps in one matmul.
    at::Tensor gates = at::empty({steps, batch, 4 * hidden}, x.options());
    at::Tensor gates_flat = gates.view({steps * batch, 4 * hidden});
    if (has_bias)
      gates_flat.copy_(bias_in.expand_as(gates_flat));
    matmul_into(x.view({steps * batch, input}), w_ih.t().contiguous(), gates_flat,
                /*accumulate=*/has_bias);
    at::Tensor y = at::empty({steps, batch, hidden}, x.options());
    at::Tensor cells = at::empty({steps, batch, hidden}, x.options());
    at::Tensor tanh_cells = at::empty({steps, batch, hidden}, x.options());
    const at::Tensor w_hh_t = w_hh.t().contiguous(); // [H, 4H]: the per-step product's layout
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gated_memory_layer_forward", [&] {
      for (int64_t t = 0; t < steps; ++t) {
        at::Tensor g = gates[t];
        const at::Tensor h_prev = t == 0 ? h0 : y[t - 1];
        const at::Tensor c_prev = t == 0 ? c0 : cells[t - 1];
        matmul_into(h_prev, w_hh_t, g, /*accumulate=*/true);
        at::Tensor c_t = cells[t], tc_t = tanh_cells[t], h_t = y[t];
        cell_forward_step<scalar_t>(g, c_prev, peephole, c_t, tc_t, h_t);
      }
    });
    at::Tensor h_n = y[steps - 1].clone();
    at::Tensor c_n = cells[steps - 1].clone();
    ctx->save_for_backward({x, h0, c0, w_ih, w_hh, peephole, gates, cells, tanh_cells, y});
    ctx->saved_data["has_bias"] = has_bias;
    return {y, h_n, c_n};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    TORCH_CHECK(!at::GradMode::is_enabled(),
                "gated_memory_layer: the fused kernel computes first-order gradients only; for "
                "higher orders build the layer with fused(false)");
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &h0 = saved[1], &c0 = saved[2], &w_ih = saved[3],
                     &w_hh = saved[4], &peephole = saved[5], &gates = saved[6], &cells = saved[7],
                     &tanh_cells = saved[8], &y = saved[9];
    const int64_t steps = x.size(0), batch = x.size(1), input = x.size(2);
    const int64_t hidden = w_hh.size(1);
    const at::Tensor dy = grad_outputs[0].contiguous();
    at::Tensor dh = grad_outputs[1].clone(at::MemoryFormat::Contiguous);
    at::Tensor dc = grad_outputs[2].clone(at::MemoryFormat::Contiguous);
    at::Tensor dgates = at::empty_like(gates);

    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gated_memory_layer_backward", [&] {
      for (int64_t t = steps - 1; t >= 0; --t) {
        dh.add_(dy[t]);
        const at::Tensor c_prev = t == 0 ? c0 : cells[t - 1];
        at::Tensor dg = dgates[t];
        cell_backward_step<scalar_t>(gates[t], tanh_cells[t], c_prev, peephole, dh, dc, dg);
        matmul_into(dg, w_hh, dh, /*accumulate=*/false);
      }
    });

    at::Tensor dx, dh0, dc0, dw_ih, dw_hh, dbias, dpeephole;
    const at::Tensor dgates_flat = dgates.view({steps * batch, 4 * hidden});
    if (ctx->needs_input_grad(0)) {
      dx = at::empty({steps, batch, input}, x.options());
      at::Tensor dx_flat = dx.view({steps * batch, input});
      matmul_into(dgates_flat, w_ih, dx_flat, /*accumulate=*/false);
    }
    if (ctx->needs_input_grad(1))
      dh0 = dh;
    if (ctx->needs_input_grad(2))
      dc0 = dc;
    // Weight gradients as dWᵀ = inputᵀ · dgates: the micro-kernel wants row-major operands, and
    // transposing the input is a quarter of the traffic of transposing dgates.
    const auto weight_grad = [&](const at::Tensor& in_flat) {
      at::Tensor grad_t = at::empty({in_flat.size(1), 4 * hidden}, x.options());
      matmul_into(in_flat.t().contiguous(), dgates_flat, grad_t, /*accumulate=*/false);
      return grad_t.t().contiguous();
    };
    if (ctx->needs_input_grad(3))
      dw_ih = weight_grad(x.view({steps * batch, input}));
    if (ctx->needs_input_grad(4)) {
      const at::Tensor h_prev = at::cat({h0.unsqueeze(0), y.narrow(0, 0, steps - 1)}, 0);
      dw_hh = weight_grad(h_prev.view({steps * batch, hidden}));
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(5)) {
      dbias = dgates_flat.sum(0);
    }
    if (peephole.defined() && ctx->needs_input_grad(6)) {
      const at::Tensor c_prev = at::cat({c0.unsqueeze(0), cells.narrow(0, 0, steps - 1)}, 0);
      dpeephole =
          at::stack({(dgates.narrow(2, 0, hidden) * c_prev).sum(at::IntArrayRef{0, 1}),
                     (dgates.narrow(2, hidden, hidden) * c_prev).sum(at::IntArrayRef{0, 1}),
                     (dgates.narrow(2, 3 * hidden, hidden) * cells).sum(at::IntArrayRef{0, 1})});
    }
    return {dx, dh0, dc0, dw_ih, dw_hh, dbias, dpeephole};
  }
};

bool all_on_cpu(std::initializer_list<const at::Tensor*> tensors) {
  for (const at::Tensor* t : tensors) {
    if (t->defined() && !t->device().is_cpu())
      return false;
  }
  return true;
}

} // namespace

GatedMemoryLayerOutput gated_memory_layer_reference(const at::Tensor& x, const at::Tensor& h0,
                                                    const at::Tensor& c0, const at::Tensor& w_ih,
                                                    const at::Tensor& w_hh, const at::Tensor& bias,
                                                    const at::Tensor& peephole) {
  check_layer_arguments(x, h0, c0, w_ih, w_hh, bias, peephole);
  const int64_t hidden = w_hh.size(1);
  const at::Tensor projected = at::linear(x, w_ih, bias);
  at::Tensor h = h0, c = c0;
  std::vector<at::Tensor> outputs;
  outputs.reserve(x.size(0));
  for (const int64_t t : c10::irange(x.size(0))) {
    const at::Tensor pre = projected[t] + at::mm(h, w_hh.t());
    at::Tensor a_i = pre.narrow(1, 0, hidden), a_f = pre.narrow(1, hidden, hidden);
    const at::Tensor a_g = pre.narrow(1, 2 * hidden, hidden);
    at::Tensor a_o = pre.narrow(1, 3 * hidden, hidden);
    if (peephole.defined()) {
      a_i = a_i + peephole[0] * c;
      a_f = a_f + peephole[1] * c;
    }
    c = at::sigmoid(a_f) * c + at::sigmoid(a_i) * at::tanh(a_g);
    if (peephole.defined())
      a_o = a_o + peephole[2] * c;
    h = at::sigmoid(a_o) * at::tanh(c);
    outputs.push_back(h);
  }
  return {at::stack(outputs, 0), h, c};
}

GatedMemoryLayerOutput gated_memory_layer(const at::Tensor& x, const at::Tensor& h0,
                                          const at::Tensor& c0, const at::Tensor& w_ih,
                                          const at::Tensor& w_hh, const at::Tensor& bias,
                                          const at::Tensor& peephole, bool fused) {
  if (!fused || !all_on_cpu({&x, &h0, &c0, &w_ih, &w_hh, &bias, &peephole})) {
    return gated_memory_layer_reference(x, h0, c0, w_ih, w_hh, bias, peephole);
  }
  check_layer_arguments(x, h0, c0, w_ih, w_hh, bias, peephole);
  const auto dtype = x.scalar_type();
  for (const at::Tensor* t : {&h0, &c0, &w_ih, &w_hh, &bias, &peephole}) {
    TORCH_CHECK(!t->defined() || t->scalar_type() == dtype,
                "gated_memory_layer: every tensor expected dtype ", dtype, ", got ",
                t->scalar_type());
  }
  const at::Tensor none = at::empty({0}, x.options());
  auto out = GatedMemoryLayerFunction::apply(x, h0, c0, w_ih, w_hh, bias.defined() ? bias : none,
                                             peephole.defined() ? peephole : none);
  return {out[0], out[1], out[2]};
}

} // namespace engram::layers::memory
