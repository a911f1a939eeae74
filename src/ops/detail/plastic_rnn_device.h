#pragma once
// Internal pieces of plastic_rnn shared by its CPU, CUDA and Autograd kernels: the validated call,
// the tensor-level forward (device independent around a raw-pointer kernel) and the two backward
// algorithms.
#include <engram/ops/detail/op_handles.h>
#include <engram/ops/detail/plastic_rnn_checks.h>
#include <engram/ops/detail/plastic_rnn_kernel.h>
#include <engram/ops/plastic_rnn.h>

namespace engram::ops::detail {

struct PlasticRnnCall {
  PlasticRnnDims dims;
  at::Tensor x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m;
  HebbianRule rule = HebbianRule::kHebb;
  Modulation modulation = Modulation::kNone;
  double clip = 0.0; // <= 0: none
  // Where the kernels read η and b_m: host values (CPU) or the tensors themselves (CUDA, no sync).
  bool scalars_on_device = false;
  double eta_value = 0.0;
  double b_m_value = 0.0;
};

struct PlasticRnnForwardState {
  at::Tensor outputs, h, H, E, m; // E, m undefined when unused
  at::Tensor ckH, ckE;            // [K, B, N, N] checkpoints (K = 0 without save)
};

struct PlasticRnnSaved {
  at::Tensor outputs, ckH, ckE, m_used, E0;
};

struct PlasticRnnGrads {
  at::Tensor g_out, g_h, g_H, g_E, g_m; // undefined = zero
};

struct PlasticRnnInputGrads {
  at::Tensor x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m, b_m;
};

// The raw-pointer forward kernel of one backend (CPU: plastic_rnn_cpu.cpp, CUDA: cuda/).
struct PlasticRnnKernels {
  void (*f32)(const PlasticRnnForwardArgs<float>&) = nullptr;
  void (*f64)(const PlasticRnnForwardArgs<double>&) = nullptr;
  void run(const PlasticRnnForwardArgs<float>& a) const { f32(a); }
  void run(const PlasticRnnForwardArgs<double>& a) const { f64(a); }
};
const PlasticRnnKernels& plastic_rnn_cpu_kernels();

// The operator's arguments, validated (check_plastic_rnn; reads η and b_m on the host).
PlasticRnnCall make_plastic_rnn_call(const at::Tensor& x, const at::Tensor& h0,
                                     const at::Tensor& H0, const OptTensor& W_in,
                                     const at::Tensor& W, const at::Tensor& alpha,
                                     const at::Tensor& b, const at::Tensor& eta,
                                     const OptTensor& E0, const OptTensor& m, const OptTensor& w_m,
                                     const OptTensor& b_m, c10::string_view rule,
                                     c10::string_view modulation, std::optional<double> clip,
                                     std::optional<int64_t> chunk_size);
// The backward's view of a call: sizes read from the saved forward inputs (already validated).
PlasticRnnCall make_plastic_rnn_backward_call(
    const at::Tensor& x, const at::Tensor& h0, const OptTensor& W_in, const at::Tensor& W,
    const at::Tensor& alpha, const at::Tensor& b, const at::Tensor& eta, const OptTensor& m,
    const OptTensor& w_m, const OptTensor& b_m, c10::string_view rule, c10::string_view modulation,
    std::optional<double> clip, std::optional<int64_t> chunk_size);
// alpha's kind from its shape (N: the hidden size).
AlphaShape infer_alpha_shape(const at::Tensor& alpha, int64_t N);

PlasticRnnForwardState plastic_rnn_forward(const PlasticRnnCall& call, bool save_checkpoints,
                                           const PlasticRnnKernels& kernels);
// The operator's outputs; unused E / m_used (and ckE) are empty [0] tensors.
PlasticRnnOutputs plastic_rnn_outputs(const PlasticRnnForwardState& st, const at::Tensor& like);
PlasticRnnTrainOutputs plastic_rnn_train_outputs(const PlasticRnnForwardState& st,
                                                 const at::Tensor& like);
// The backward operator's inputs and outputs (absent gradients: empty [0] tensors).
PlasticRnnSaved plastic_rnn_saved(const at::Tensor& outputs, const at::Tensor& ckH,
                                  const at::Tensor& ckE, const at::Tensor& m_used,
                                  const OptTensor& E0, const PlasticRnnCall& call);
PlasticRnnGrads plastic_rnn_grads(const OptTensor& g_outputs, const OptTensor& g_h,
                                  const OptTensor& g_H, const OptTensor& g_E, const OptTensor& g_m,
                                  const PlasticRnnCall& call);
PlasticRnnGradOutputs plastic_rnn_grad_outputs(const PlasticRnnInputGrads& g,
                                               const PlasticRnnCall& call,
                                               const PlasticRnnSaved& saved);
PlasticRnnInputGrads plastic_rnn_backward_fused(const PlasticRnnCall& call,
                                                const PlasticRnnSaved& saved,
                                                const PlasticRnnGrads& grads);
PlasticRnnInputGrads plastic_rnn_backward_by_chunks(const PlasticRnnCall& call,
                                                    const PlasticRnnSaved& saved,
                                                    const PlasticRnnGrads& grads);

} // namespace engram::ops::detail
