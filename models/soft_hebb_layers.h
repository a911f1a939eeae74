#pragma once
// SoftHebb layers (Journe et al. 2023) as preset layer types:
//   "softhebb-linear"  SoftHebbLinear over flat inputs; keys: out_features (required),
//                      temperature, learning_rate, adaptive_lr, learning_rate_power,
//                      anti_hebbian, init_radius, activation ("triangle", "relu", "none"),
//                      triangle_power.
//   "softhebb-conv2d"  SoftHebbConv2d over [C, H, W]; keys: out_channels (required), kernel
//                      (default 3), stride (1), padding (0), and the rule's keys above.
// Both learn inside forward in training mode and pass no gradient, so the network's head (and any
// layer above) trains by backprop on features that no feedback shapes. They have no bias.
//
// The builders also turn a plain "linear" or "conv2d" layer spec into its SoftHebb counterpart
// (out_features, or out_channels/kernel/stride/padding, are read; bias and freeze are ignored),
// for the learning-rule registry.

#include <engram/models/layer_registry.h>

namespace engram::models {

// The layer for a spec with out_features over `in_features` inputs.
NetworkLayer build_soft_hebb_linear(const LayerSpec& spec, int64_t in_features);
// The layer for a spec with out_channels (and kernel, stride, padding) over `in_shape` [C, H, W].
NetworkLayer build_soft_hebb_conv2d(const LayerSpec& spec, const Shape& in_shape);

// The preset layer types "softhebb-linear" and "softhebb-conv2d".
LayerType soft_hebb_linear_layer_type();
LayerType soft_hebb_conv2d_layer_type();

} // namespace engram::models
