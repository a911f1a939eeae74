#include <engram/layers/memory/slot_memory.h>

#include <cmath>
#include <ostream>

namespace engram::layers::memory {

SlotWorkingMemoryImpl::SlotWorkingMemoryImpl(SlotWorkingMemoryOptions options_)
    : options(std::move(options_)) {
  TORCH_CHECK(options.input_size() > 0,
              "SlotWorkingMemory: argument 'input_size' expected > 0, got ", options.input_size());
  TORCH_CHECK(options.slots() > 0, "SlotWorkingMemory: argument 'slots' expected > 0, got ",
              options.slots());
  TORCH_CHECK(options.slot_size() > 0, "SlotWorkingMemory: argument 'slot_size' expected > 0, got ",
              options.slot_size());
  reset();
}

void SlotWorkingMemoryImpl::reset() {
  const int64_t z = options.input_size() + options.slot_size();
  write_gate = register_module("write_gate", torch::nn::Linear(z, 1));
  slot_selector = register_module("slot_selector", torch::nn::Linear(z, options.slots()));
  content = register_module("content", torch::nn::Linear(z, options.slot_size()));
  query = register_module("query", torch::nn::Linear(z, options.slot_size()));
  initial_memory =
      register_parameter("initial_memory", at::empty({options.slots(), options.slot_size()}));
  reset_parameters();
}

void SlotWorkingMemoryImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  // Distinct initial slots let the first reads tell them apart. Drawn as randn * 0.1 (normal_(0,
  // 0.1) would round differently).
  initial_memory.copy_(at::randn({options.slots(), options.slot_size()}) * 0.1);
  write_gate->bias.fill_(options.write_gate_bias());
}

SlotMemoryOutput SlotWorkingMemoryImpl::forward(const at::Tensor& input,
                                                const std::optional<at::Tensor>& memory) {
  TORCH_CHECK(input.dim() == 3 && input.size(2) == options.input_size(),
              "SlotWorkingMemory: argument 'input' expected ",
              options.batch_first() ? "[B, T, " : "[T, B, ", options.input_size(), "], got ",
              input.sizes());
  const at::Tensor x = options.batch_first() ? input.transpose(0, 1) : input;
  const int64_t steps = x.size(0), batch = x.size(1);
  const int64_t slots = options.slots(), width = options.slot_size();
  at::Tensor m;
  if (memory.has_value()) {
    TORCH_CHECK(memory->sizes() == at::IntArrayRef({batch, slots, width}),
                "SlotWorkingMemory: argument 'memory' expected [", batch, ", ", slots, ", ", width,
                "] (batch ", batch, " of the input), got ", memory->sizes());
    m = *memory;
  } else {
    m = initial_memory.unsqueeze(0).expand({batch, slots, width});
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(width));
  at::Tensor r = at::zeros({batch, width}, x.options());
  std::vector<at::Tensor> outputs, gates, choices;
  for (int64_t t = 0; t < steps; ++t) {
    const at::Tensor z = at::cat({x[t], r}, 1);
    const at::Tensor g = at::sigmoid(write_gate(z));       // [B, 1]
    const at::Tensor a = at::softmax(slot_selector(z), 1); // [B, K]
    const at::Tensor c = at::tanh(content(z));             // [B, D]
    const at::Tensor w = (g * a).unsqueeze(2);             // [B, K, 1]
    m = m + w * (c.unsqueeze(1) - m);
    const at::Tensor q = query(z);
    const at::Tensor attention = at::softmax(at::bmm(m, q.unsqueeze(2)).squeeze(2) * scale, 1);
    r = at::bmm(attention.unsqueeze(1), m).squeeze(1);
    outputs.push_back(r);
    gates.push_back(g.squeeze(1));
    choices.push_back(a);
  }
  SlotMemoryOutput out;
  out.output = at::stack(outputs, 0);
  if (options.batch_first())
    out.output = out.output.transpose(0, 1);
  out.memory = m;
  out.write_gate = at::stack(gates, 0);
  out.slot_weights = at::stack(choices, 0);
  return out;
}

void SlotWorkingMemoryImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::SlotWorkingMemory(input_size=" << options.input_size()
         << ", slots=" << options.slots() << ", slot_size=" << options.slot_size()
         << ", batch_first=" << options.batch_first() << ")";
}

} // namespace engram::layers::memory
