// Stand-ins for the CUDA entry points in builds without ENGRAM_WITH_CUDA.
#include <engram/ops/detail/hebbian_update_kernel.h>
#include <engram/ops/detail/plastic_rnn_device.h>

namespace engram::ops::detail {

void plastic_rnn_forward_device(const PlasticRnnForwardArgs<float>& /*a*/) {
  TORCH_CHECK(false, "plastic_rnn: argument 'x' is a CUDA tensor but engram was built without "
                     "CUDA kernels (ENGRAM_WITH_CUDA off)");
}

void plastic_rnn_forward_device(const PlasticRnnForwardArgs<double>& /*a*/) {
  TORCH_CHECK(false, "plastic_rnn: argument 'x' is a CUDA tensor but engram was built without "
                     "CUDA kernels (ENGRAM_WITH_CUDA off)");
}

} // namespace engram::ops::detail

namespace engram::ops::detail {

void hebbian_update_forward_device(const HebbianForwardArgs<float>& /*a*/) {
  TORCH_CHECK(false, "hebbian_update: argument 'H' is a CUDA tensor but engram was built without "
                     "CUDA kernels (ENGRAM_WITH_CUDA off)");
}

void hebbian_update_forward_device(const HebbianForwardArgs<double>& /*a*/) {
  TORCH_CHECK(false, "hebbian_update: argument 'H' is a CUDA tensor but engram was built without "
                     "CUDA kernels (ENGRAM_WITH_CUDA off)");
}

} // namespace engram::ops::detail
