#include <engram/cl/hippocampal_replay.h>
#include <engram/cl/strategy_registry.h>

#include <engram/io/archive.h>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/serialize/archive.h>

namespace engram::cl {

namespace {
// Samples of the current batch that cue recall (each recalls batch / kCues items).
constexpr int64_t kCues = 8;
} // namespace

ENGRAM_REGISTER_STRATEGY(
    HippocampalReplayStrategy, "hippocampal-replay",
    "replay stored in and recalled from a `KeyValueMemory` (key: the input, value: label and "
    "task). Storage is a reservoir sample of the stream (empty slots through the memory's own "
    "write, then random slots); recall: 8 samples of each batch cue the memory, and each draws its "
    "share of the replayed items from the memory's read weights, softmax(beta · cosine(cue, key)), "
    "so stored items resembling the current ones come back more often (beta = 0: uniform)",
    ENGRAM_STRATEGY_OPTION(buffer_size, OptionRange::closed(1, kMaxBufferSize)),
    ENGRAM_STRATEGY_OPTION(beta, OptionRange::at_least(0)));

void HippocampalReplayStrategy::begin(StrategyContext& ctx) {
  // beta = 0 is not a valid sharpness of the memory; a tiny one gives the same uniform recall.
  layers::memory::KeyValueMemoryOptions o(options.buffer_size(), ctx.stream->input_dim(),
                                          /*value_size=*/2);
  o.addressing(layers::memory::MemoryAddressing::kCosine)
      .beta(std::max(options.beta(), 1e-6))
      .learn_beta(false);
  memory_ = layers::memory::KeyValueMemory(o);
  memory_->to(ctx.device);
  memory_->reset_state(1, at::TensorOptions().dtype(at::kFloat).device(ctx.device));
  seen_ = 0;
}

int64_t HippocampalReplayStrategy::stored() const {
  return memory_ ? memory_->state().filled.sum().item<int64_t>() : 0;
}

Batch HippocampalReplayStrategy::compose_batch(StrategyContext& ctx, Batch current) {
  pending_ = current;
  if (stored() == 0)
    return current;
  at::NoGradGuard no_grad;
  // A few current samples, each cueing the recall of its share of the replayed items.
  const int64_t n = current.size();
  const int64_t cues = std::min<int64_t>(kCues, n);
  const at::Tensor cue_pos = at::randperm(n, ctx.generator, at::kLong).narrow(0, 0, cues);
  std::vector<at::Tensor> slots;
  for (int64_t c = 0; c < cues; ++c) {
    const int64_t draws = n / cues + (c < n % cues ? 1 : 0);
    const at::Tensor weights =
        memory_->address(current.x[cue_pos[c].item<int64_t>()].unsqueeze(0))[0];
    // Drawn by the CPU generator (the same draws on every device): the weights come to the host.
    slots.push_back(
        ctx.to_device(at::multinomial(weights.cpu(), draws, /*replacement=*/true, ctx.generator)));
  }
  const at::Tensor recalled_slots = at::cat(slots);
  const auto& s = memory_->state();
  const at::Tensor values = s.values[0].index_select(0, recalled_slots);
  Batch recalled{s.keys[0].index_select(0, recalled_slots),
                 values.select(1, 0).round().to(at::kLong),
                 values.select(1, 1).round().to(at::kLong)};
  return concat_batches(current, recalled);
}

void HippocampalReplayStrategy::store(StrategyContext& ctx, const Batch& batch) {
  const int64_t capacity = memory_->options.capacity();
  std::vector<int64_t> admitted, victims;
  const int64_t free_slots = capacity - stored();
  const at::Tensor u = at::rand({batch.size()}, ctx.generator);
  const at::Tensor v = at::randint(capacity, {batch.size()}, ctx.generator, at::kLong);
  const float* up = u.const_data_ptr<float>();
  const int64_t* vp = v.const_data_ptr<int64_t>();
  for (int64_t i = 0; i < batch.size(); ++i) {
    ++seen_;
    const auto n = static_cast<int64_t>(admitted.size());
    if (n < free_slots) {
      admitted.push_back(i);
      victims.push_back(-1);
    } else if (static_cast<double>(up[i]) <
               static_cast<double>(capacity) / static_cast<double>(seen_)) {
      admitted.push_back(i);
      victims.push_back(vp[i]);
    }
  }
  if (admitted.empty())
    return;
  at::NoGradGuard no_grad;
  const at::Tensor idx = ctx.to_device(at::tensor(admitted, at::kLong));
  const at::Tensor keys = batch.x.index_select(0, idx).to(at::kFloat);
  const at::Tensor vals =
      at::stack({batch.y.index_select(0, idx), batch.task.index_select(0, idx)}, 1).to(at::kFloat);
  // Empty slots through the memory's own ring-buffer write, all at once (the memory is only
  // appended to until it is full, so the ring's position is the number of items stored)...
  int64_t fill = 0;
  while (fill < static_cast<int64_t>(victims.size()) && victims[static_cast<size_t>(fill)] < 0)
    ++fill;
  if (fill > 0)
    memory_->append(keys.narrow(0, 0, fill).unsqueeze(0), vals.narrow(0, 0, fill).unsqueeze(0));
  // ...and reservoir replacements over random slots, as a state update of the memory.
  if (fill < idx.size(0)) {
    auto state = memory_->state();
    const at::Tensor slots = ctx.to_device(
        at::tensor(std::vector<int64_t>(victims.begin() + fill, victims.end()), at::kLong));
    state.keys =
        state.keys.index_put({at::zeros_like(slots), slots}, keys.narrow(0, fill, slots.size(0)));
    state.values =
        state.values.index_put({at::zeros_like(slots), slots}, vals.narrow(0, fill, slots.size(0)));
    memory_->set_state(std::move(state));
  }
}

void HippocampalReplayStrategy::after_step(StrategyContext& ctx, const Batch&) {
  store(ctx, pending_);
  pending_ = Batch{};
}

void HippocampalReplayStrategy::save(torch::serialize::OutputArchive& a) const {
  torch::serialize::OutputArchive m;
  memory_->save(m);
  a.write("hippocampal_replay.memory", m);
  io::write_int(a, "hippocampal_replay.seen", seen_);
}

void HippocampalReplayStrategy::load(torch::serialize::InputArchive& a) {
  torch::serialize::InputArchive m;
  a.read("hippocampal_replay.memory", m);
  memory_->load(m);
  seen_ = io::read_int(a, "hippocampal_replay.seen");
}

} // namespace engram::cl
