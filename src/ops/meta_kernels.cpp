// Meta kernels of the engram operators: output shapes, dtypes and devices without computing
// anything, for fake tensors (torch.compile, torch.library.opcheck, torch.export). Sizes stay
// symbolic except the sequence length, on which the number of trace checkpoints depends.
#include <engram/ops/detail/op_checks.h>
#include <engram/ops/detail/op_handles.h>
#include <engram/ops/plastic_rnn.h>

#include <torch/library.h>

namespace engram::ops::detail {
namespace {

at::Tensor empty_marker(const at::Tensor& like) {
  return at::empty({0}, like.options());
}

at::Tensor like_or_marker(const OptTensor& t, const at::Tensor& like) {
  return t.has_value() && t->defined() ? at::empty_like(*t, at::MemoryFormat::Contiguous)
                                       : empty_marker(like);
}

// A call that mixes meta and real tensors dispatches here (Meta outranks CPU): it gets the same
// one-line device and dtype errors the CPU and CUDA kernels give.
void check_all_like(const char* fn, const char* ref_name, const at::Tensor& ref,
                    std::initializer_list<std::pair<const char*, const at::Tensor*>> tensors,
                    std::initializer_list<std::pair<const char*, const OptTensor*>> optionals) {
  for (const auto& [name, t] : tensors) {
    check_like(fn, name, *t, ref_name, ref);
  }
  for (const auto& [name, t] : optionals) {
    if (t->has_value() && (*t)->defined()) {
      check_like(fn, name, **t, ref_name, ref);
    }
  }
}

struct PlasticRnnMetaShapes {
  c10::SymInt T, B, N;
  bool retroactive = false, modulated = false;
};

PlasticRnnMetaShapes plastic_rnn_meta_shapes(const at::Tensor& x, const at::Tensor& h0,
                                             c10::string_view rule, c10::string_view modulation) {
  TORCH_CHECK(x.dim() == 3, "plastic_rnn: argument 'x' expected 3 dimensions, got ", x.dim());
  TORCH_CHECK(h0.dim() == 2, "plastic_rnn: argument 'h0' expected 2 dimensions, got ", h0.dim());
  parse_hebbian_rule(std::string(rule));
  const Modulation mod = parse_modulation(std::string(modulation));
  return {x.sym_size(0), x.sym_size(1), h0.sym_size(1), mod == Modulation::kRetroactive,
          mod != Modulation::kNone};
}

PlasticRnnOutputs plastic_rnn_meta(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                                   const OptTensor& W_in, const at::Tensor& W,
                                   const at::Tensor& alpha, const at::Tensor& b,
                                   const at::Tensor& eta, const OptTensor& E0, const OptTensor& m,
                                   const OptTensor& w_m, const OptTensor& b_m,
                                   c10::string_view rule, c10::string_view modulation,
                                   std::optional<double> clip,
                                   std::optional<int64_t> /*chunk_size*/) {
  check_floating("plastic_rnn", "x", x);
  check_all_like("plastic_rnn", "x", x,
                 {{"h0", &h0}, {"H0", &H0}, {"W", &W}, {"alpha", &alpha}, {"b", &b}, {"eta", &eta}},
                 {{"W_in", &W_in}, {"E0", &E0}, {"m", &m}, {"w_m", &w_m}, {"b_m", &b_m}});
  check_clip("plastic_rnn", clip);
  const auto s = plastic_rnn_meta_shapes(x, h0, rule, modulation);
  const auto opts = x.options();
  return {at::empty_symint({s.T, s.B, s.N}, opts), at::empty_symint({s.B, s.N}, opts),
          at::empty_symint({s.B, s.N, s.N}, opts),
          s.retroactive ? at::empty_symint({s.B, s.N, s.N}, opts) : empty_marker(x),
          s.modulated ? at::empty_symint({s.T, s.B}, opts) : empty_marker(x)};
}

PlasticRnnTrainOutputs
plastic_rnn_forward_meta(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& H0,
                         const OptTensor& W_in, const at::Tensor& W, const at::Tensor& alpha,
                         const at::Tensor& b, const at::Tensor& eta, const OptTensor& E0,
                         const OptTensor& m, const OptTensor& w_m, const OptTensor& b_m,
                         c10::string_view rule, c10::string_view modulation,
                         std::optional<double> clip, std::optional<int64_t> chunk_size) {
  const auto s = plastic_rnn_meta_shapes(x, h0, rule, modulation);
  auto [outputs, h, H, E, m_used] = plastic_rnn_meta(x, h0, H0, W_in, W, alpha, b, eta, E0, m, w_m,
                                                     b_m, rule, modulation, clip, chunk_size);
  // The checkpoint count depends on T through default_plastic_rnn_chunk: T is specialised.
  const int64_t T = s.T.guard_int(__FILE__, __LINE__);
  int64_t chunk = chunk_size ? *chunk_size : default_plastic_rnn_chunk(T);
  TORCH_CHECK(chunk >= 1, "plastic_rnn: option 'chunk_size' expected >= 1, got ", chunk);
  chunk = std::min(chunk, std::max<int64_t>(T, 1));
  const int64_t K = T > 0 ? (T + chunk - 1) / chunk : 0;
  const auto opts = x.options();
  at::Tensor ckH = at::empty_symint({c10::SymInt(K), s.B, s.N, s.N}, opts);
  at::Tensor ckE =
      s.retroactive ? at::empty_symint({c10::SymInt(K), s.B, s.N, s.N}, opts) : empty_marker(x);
  return {outputs, h, H, E, m_used, ckH, ckE};
}

PlasticRnnGradOutputs plastic_rnn_backward_meta(
    const OptTensor& /*g_outputs*/, const OptTensor& /*g_h*/, const OptTensor& /*g_H*/,
    const OptTensor& /*g_E*/, const OptTensor& /*g_m*/, const at::Tensor& x, const at::Tensor& h0,
    const OptTensor& W_in, const at::Tensor& W, const at::Tensor& alpha, const at::Tensor& b,
    const at::Tensor& eta, const OptTensor& E0, const OptTensor& m, const OptTensor& w_m,
    const OptTensor& b_m, const at::Tensor& /*outputs*/, const at::Tensor& /*ckH*/,
    const at::Tensor& /*ckE*/, const at::Tensor& /*m_used*/, c10::string_view rule,
    c10::string_view modulation, std::optional<double> /*clip*/,
    std::optional<int64_t> /*chunk_size*/) {
  const auto s = plastic_rnn_meta_shapes(x, h0, rule, modulation);
  const auto opts = x.options();
  const auto like = [&](const at::Tensor& t) {
    return at::empty_like(t, at::MemoryFormat::Contiguous);
  };
  return {like(x),
          like(h0),
          at::empty_symint({s.B, s.N, s.N}, opts),
          like_or_marker(W_in, x),
          like(W),
          like(alpha),
          like(b),
          like(eta),
          E0.has_value() ? at::empty_symint({s.B, s.N, s.N}, opts) : empty_marker(x),
          like_or_marker(m, x),
          like_or_marker(w_m, x),
          like_or_marker(b_m, x)};
}

// gated_memory_layer: sizes from x [T, B, I] and w_hh [4H, H].
struct GatedMemoryMetaShapes {
  c10::SymInt T, B, H;
};

GatedMemoryMetaShapes gated_memory_meta_shapes(const at::Tensor& x, const at::Tensor& h0,
                                               const at::Tensor& c0, const at::Tensor& w_ih,
                                               const at::Tensor& w_hh, const OptTensor& bias,
                                               const OptTensor& peephole) {
  const char* fn = "gated_memory_layer";
  check_floating(fn, "x", x);
  check_all_like(fn, "x", x, {{"h0", &h0}, {"c0", &c0}, {"w_ih", &w_ih}, {"w_hh", &w_hh}},
                 {{"bias", &bias}, {"peephole", &peephole}});
  TORCH_CHECK(x.dim() == 3, fn, ": argument 'x' expected 3 dims [T, B, I], got ", x.dim());
  TORCH_CHECK(w_hh.dim() == 2, fn, ": argument 'w_hh' expected 2 dims [4H, H], got ", w_hh.dim());
  TORCH_CHECK(w_ih.dim() == 2, fn, ": argument 'w_ih' expected 2 dims [4H, I], got ", w_ih.dim());
  TORCH_CHECK(h0.dim() == 2 && c0.dim() == 2, fn,
              ": arguments 'h0' and 'c0' expected 2 dims [B, H], got ", h0.dim(), " and ",
              c0.dim());
  return {x.sym_size(0), x.sym_size(1), w_hh.sym_size(1)};
}

GatedMemoryLayerOutputs gated_memory_layer_meta(const at::Tensor& x, const at::Tensor& h0,
                                                const at::Tensor& c0, const at::Tensor& w_ih,
                                                const at::Tensor& w_hh, const OptTensor& bias,
                                                const OptTensor& peephole) {
  const auto s = gated_memory_meta_shapes(x, h0, c0, w_ih, w_hh, bias, peephole);
  const auto opts = x.options();
  return {at::empty_symint({s.T, s.B, s.H}, opts), at::empty_symint({s.B, s.H}, opts),
          at::empty_symint({s.B, s.H}, opts)};
}

GatedMemoryLayerTrainOutputs
gated_memory_layer_forward_meta(const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0,
                                const at::Tensor& w_ih, const at::Tensor& w_hh,
                                const OptTensor& bias, const OptTensor& peephole) {
  const auto s = gated_memory_meta_shapes(x, h0, c0, w_ih, w_hh, bias, peephole);
  const auto opts = x.options();
  return {at::empty_symint({s.T, s.B, s.H}, opts), at::empty_symint({s.B, s.H}, opts),
          at::empty_symint({s.B, s.H}, opts),      at::empty_symint({s.T, s.B, s.H * 4}, opts),
          at::empty_symint({s.T, s.B, s.H}, opts), at::empty_symint({s.T, s.B, s.H}, opts)};
}

GatedMemoryLayerGradOutputs gated_memory_layer_backward_meta(
    const OptTensor& /*g_output*/, const OptTensor& /*g_h_n*/, const OptTensor& /*g_c_n*/,
    const at::Tensor& x, const at::Tensor& h0, const at::Tensor& c0, const at::Tensor& w_ih,
    const at::Tensor& w_hh, const OptTensor& bias, const OptTensor& peephole,
    const at::Tensor& /*output*/, const at::Tensor& /*gates*/, const at::Tensor& /*cells*/,
    const at::Tensor& /*tanh_cells*/, std::array<bool, 7> mask) {
  gated_memory_meta_shapes(x, h0, c0, w_ih, w_hh, bias, peephole);
  // The CPU and CUDA kernels' layout: contiguous gradients, an empty [0] tensor for an absent
  // input or one outside the mask.
  const auto grad = [&](bool wanted, const at::Tensor& t) {
    return wanted ? at::empty_like(t, at::MemoryFormat::Contiguous) : empty_marker(x);
  };
  const auto grad_optional = [&](bool wanted, const OptTensor& t) {
    return wanted && t.has_value() && t->defined()
               ? at::empty_like(*t, at::MemoryFormat::Contiguous)
               : empty_marker(x);
  };
  return {grad(mask[0], x),
          grad(mask[1], h0),
          grad(mask[2], c0),
          grad(mask[3], w_ih),
          grad(mask[4], w_hh),
          grad_optional(mask[5], bias),
          grad_optional(mask[6], peephole)};
}

HebbianUpdateOutputs hebbian_update_meta(const at::Tensor& H, const at::Tensor& pre,
                                         const at::Tensor& post, const at::Tensor& eta,
                                         const OptTensor& m, const OptTensor& pre_mean,
                                         const OptTensor& post_mean, const OptTensor& theta,
                                         c10::string_view rule_name, std::optional<double> clip,
                                         double /*mean_rate*/) {
  check_floating("hebbian_update", "pre", pre);
  check_all_like("hebbian_update", "pre", pre, {{"post", &post}, {"H", &H}, {"eta", &eta}},
                 {{"m", &m},
                  {"state.pre_mean", &pre_mean},
                  {"state.post_mean", &post_mean},
                  {"state.theta", &theta}});
  check_clip("hebbian_update", clip);
  const HebbianRule rule = parse_hebbian_rule(std::string(rule_name));
  const bool covariance = rule == HebbianRule::kCovariance, bcm = rule == HebbianRule::kBcm;
  const auto like = [](const at::Tensor& t) {
    return at::empty_like(t, at::MemoryFormat::Contiguous);
  };
  return {like(H), covariance ? like(pre) : empty_marker(pre),
          covariance ? like(post) : empty_marker(pre), bcm ? like(post) : empty_marker(pre)};
}

} // namespace

TORCH_LIBRARY_IMPL(engram, Meta, m) {
  m.impl("plastic_rnn", TORCH_FN(plastic_rnn_meta));
  m.impl("_plastic_rnn_forward", TORCH_FN(plastic_rnn_forward_meta));
  m.impl("_plastic_rnn_backward", TORCH_FN(plastic_rnn_backward_meta));
  m.impl("hebbian_update", TORCH_FN(hebbian_update_meta));
  m.impl("gated_memory_layer", TORCH_FN(gated_memory_layer_meta));
  m.impl("_gated_memory_layer_forward", TORCH_FN(gated_memory_layer_forward_meta));
  m.impl("_gated_memory_layer_backward", TORCH_FN(gated_memory_layer_backward_meta));
}

} // namespace engram::ops::detail
