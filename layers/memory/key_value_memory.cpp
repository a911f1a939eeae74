#include <engram/layers/memory/key_value_memory.h>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <limits>
#include <ostream>

namespace engram::layers::memory {
namespace {

at::Tensor l2_normalize(const at::Tensor& x) {
  return x / x.norm(2, {-1}, /*keepdim=*/true).clamp_min(1e-8);
}

} // namespace

KeyValueMemoryImpl::KeyValueMemoryImpl(KeyValueMemoryOptions options)
    : options_(std::move(options)) {
  TORCH_CHECK(options_.capacity() > 0, "KeyValueMemory: argument 'capacity' expected > 0, got ",
              options_.capacity());
  TORCH_CHECK(options_.key_size() > 0, "KeyValueMemory: argument 'key_size' expected > 0, got ",
              options_.key_size());
  TORCH_CHECK(options_.value_size() > 0, "KeyValueMemory: argument 'value_size' expected > 0, got ",
              options_.value_size());
  TORCH_CHECK(options_.beta() > 0.0 && std::isfinite(options_.beta()),
              "KeyValueMemory: argument 'beta' expected a finite value > 0, got ", options_.beta());
  TORCH_CHECK(options_.top_k() >= 0, "KeyValueMemory: argument 'top_k' expected >= 0, got ",
              options_.top_k());
  TORCH_CHECK(options_.usage_decay() > 0.0 && options_.usage_decay() <= 1.0,
              "KeyValueMemory: argument 'usage_decay' expected in (0, 1], got ",
              options_.usage_decay());
  const at::Tensor log_beta = at::full({}, std::log(options_.beta()));
  log_beta_ = options_.learn_beta() ? register_parameter("log_beta", log_beta)
                                    : register_buffer("log_beta", log_beta);
}

void KeyValueMemoryImpl::reset(int64_t batch, const std::optional<at::TensorOptions>& like) {
  TORCH_CHECK(batch > 0, "KeyValueMemory::reset: argument 'batch' expected > 0, got ", batch);
  const at::TensorOptions opts = like.value_or(log_beta_.options()).requires_grad(false);
  const int64_t slots = options_.capacity();
  state_.keys = at::zeros({batch, slots, options_.key_size()}, opts);
  state_.values = at::zeros({batch, slots, options_.value_size()}, opts);
  state_.usage = at::zeros({batch, slots}, opts);
  state_.filled = at::zeros({batch, slots}, opts.dtype(at::kBool));
  state_.next_slot = at::zeros({batch}, opts.dtype(at::kLong));
}

void KeyValueMemoryImpl::set_state(KeyValueMemoryState state) {
  const int64_t batch = state.batch_size();
  const int64_t slots = options_.capacity();
  TORCH_CHECK(batch > 0, "KeyValueMemory::set_state: argument 'state' expected defined keys");
  auto expect = [&](const at::Tensor& t, std::vector<int64_t> shape, const char* name) {
    TORCH_CHECK(t.defined() && t.sizes() == at::IntArrayRef(shape),
                "KeyValueMemory::set_state: argument 'state' expected ", name, " of shape ",
                at::IntArrayRef(shape), ", got ",
                t.defined() ? c10::str(t.sizes()) : std::string("undefined"));
  };
  expect(state.keys, {batch, slots, options_.key_size()}, "keys");
  expect(state.values, {batch, slots, options_.value_size()}, "values");
  expect(state.usage, {batch, slots}, "usage");
  expect(state.filled, {batch, slots}, "filled");
  expect(state.next_slot, {batch}, "next_slot");
  state_ = std::move(state);
}

void KeyValueMemoryImpl::check_batch(const char* fn, const char* arg, const at::Tensor& t) const {
  TORCH_CHECK(state_.batch_size() > 0, "KeyValueMemory::", fn,
              ": the memory has no state; call reset(batch) first");
  TORCH_CHECK(t.size(0) == state_.batch_size(), "KeyValueMemory::", fn, ": argument '", arg,
              "' expected batch size ", state_.batch_size(), " (the memory's, set by reset), got ",
              t.size(0));
}

void KeyValueMemoryImpl::check_items(const char* fn, const at::Tensor& keys,
                                     const at::Tensor& values) const {
  TORCH_CHECK(keys.dim() == 2 || keys.dim() == 3, "KeyValueMemory::", fn,
              ": argument 'keys' expected [B, key_size] or [B, N, key_size], got ", keys.sizes());
  TORCH_CHECK(values.dim() == keys.dim(), "KeyValueMemory::", fn, ": argument 'values' expected ",
              keys.dim(), " dims like 'keys', got ", values.sizes());
  TORCH_CHECK(keys.size(-1) == options_.key_size(), "KeyValueMemory::", fn,
              ": argument 'keys' expected key size ", options_.key_size(), ", got ", keys.size(-1));
  TORCH_CHECK(values.size(-1) == options_.value_size(), "KeyValueMemory::", fn,
              ": argument 'values' expected value size ", options_.value_size(), ", got ",
              values.size(-1));
  TORCH_CHECK(keys.sizes().slice(0, keys.dim() - 1) == values.sizes().slice(0, keys.dim() - 1),
              "KeyValueMemory::", fn,
              ": arguments 'keys' and 'values' expected the same batch and item count, got ",
              keys.sizes(), " and ", values.sizes());
  check_batch(fn, "keys", keys);
}

at::Tensor KeyValueMemoryImpl::similarity(const at::Tensor& query) const {
  if (options_.addressing() == MemoryAddressing::kCosine) {
    return at::bmm(l2_normalize(state_.keys), l2_normalize(query).unsqueeze(2)).squeeze(2);
  }
  return at::bmm(state_.keys, query.unsqueeze(2)).squeeze(2);
}

at::Tensor KeyValueMemoryImpl::address(const at::Tensor& query) const {
  TORCH_CHECK(query.dim() == 2 && query.size(1) == options_.key_size(),
              "KeyValueMemory::address: argument 'query' expected [B, ", options_.key_size(),
              "], got ", query.sizes());
  check_batch("address", "query", query);
  const at::Tensor logits = log_beta_.exp() * similarity(query);
  // A finite floor instead of -inf keeps the gradients of rows with nothing stored at zero.
  const double lowest = -std::numeric_limits<float>::max();
  at::Tensor mask = state_.filled;
  const int64_t k = options_.top_k();
  if (k > 0 && k < options_.capacity()) {
    const at::Tensor kth =
        std::get<0>(logits.detach().masked_fill(~mask, lowest).topk(k, -1)).narrow(1, k - 1, 1);
    mask = mask & (logits.detach() >= kth);
  }
  const at::Tensor weights = at::softmax(logits.masked_fill(~mask, lowest), -1);
  return weights * state_.filled.any(-1, /*keepdim=*/true).to(weights.scalar_type());
}

at::Tensor KeyValueMemoryImpl::read(const at::Tensor& query) {
  const at::Tensor weights = address(query);
  state_.usage = state_.usage * options_.usage_decay() + weights.detach();
  return at::bmm(weights.unsqueeze(1), state_.values).squeeze(1);
}

at::Tensor KeyValueMemoryImpl::read_multi_hop(const at::Tensor& query, int64_t hops) {
  TORCH_CHECK(hops > 0, "KeyValueMemory::read_multi_hop: argument 'hops' expected > 0, got ", hops);
  TORCH_CHECK(options_.key_size() == options_.value_size(),
              "KeyValueMemory::read_multi_hop: needs key_size == value_size, got ",
              options_.key_size(), " and ", options_.value_size());
  at::Tensor u = query;
  for (int64_t hop = 0; hop < hops; ++hop)
    u = u + read(u);
  return u;
}

void KeyValueMemoryImpl::write_slots(const at::Tensor& slots, const at::Tensor& keys,
                                     const at::Tensor& values) {
  const at::Tensor rows = at::arange(slots.size(0), slots.options()).unsqueeze(1).expand_as(slots);
  const c10::List<std::optional<at::Tensor>> index({rows, slots});
  state_.keys = state_.keys.index_put(index, keys.to(state_.keys.scalar_type()));
  state_.values = state_.values.index_put(index, values.to(state_.values.scalar_type()));
  at::Tensor usage = state_.usage * options_.usage_decay();
  state_.usage = usage.index_put(index, usage.index(index) + 1.0);
  state_.filled = state_.filled.index_put(index, at::ones({}, state_.filled.options()));
}

at::Tensor KeyValueMemoryImpl::append(const at::Tensor& keys, const at::Tensor& values) {
  check_items("append", keys, values);
  const bool single = keys.dim() == 2;
  const at::Tensor k = single ? keys.unsqueeze(1) : keys;
  const at::Tensor v = single ? values.unsqueeze(1) : values;
  const int64_t items = k.size(1);
  TORCH_CHECK(items <= options_.capacity(),
              "KeyValueMemory::append: argument 'keys' expected at "
              "most capacity = ",
              options_.capacity(), " items at once, got ", items);
  const at::Tensor slots =
      (state_.next_slot.unsqueeze(1) + at::arange(items, state_.next_slot.options())) %
      options_.capacity();
  write_slots(slots, k, v);
  state_.next_slot = (state_.next_slot + items) % options_.capacity();
  return single ? slots.squeeze(1) : slots;
}

at::Tensor KeyValueMemoryImpl::replace_least_used(const at::Tensor& keys,
                                                  const at::Tensor& values) {
  check_items("replace_least_used", keys, values);
  const bool single = keys.dim() == 2;
  const at::Tensor k = single ? keys.unsqueeze(1) : keys;
  const at::Tensor v = single ? values.unsqueeze(1) : values;
  std::vector<at::Tensor> chosen;
  for (int64_t n = 0; n < k.size(1); ++n) {
    // Empty slots rank below every used one; ties go to the lowest index.
    const at::Tensor slot =
        state_.usage.masked_fill(~state_.filled, -1.0).argmin(-1, /*keepdim=*/true);
    write_slots(slot, k.narrow(1, n, 1), v.narrow(1, n, 1));
    chosen.push_back(slot);
  }
  const at::Tensor slots = at::cat(chosen, 1);
  return single ? slots.squeeze(1) : slots;
}

at::Tensor KeyValueMemoryImpl::erase_and_add(const at::Tensor& key, const at::Tensor& erase,
                                             const at::Tensor& add, const at::Tensor& gate) {
  TORCH_CHECK(key.dim() == 2 && key.size(1) == options_.key_size(),
              "KeyValueMemory::erase_and_add: argument 'key' expected [B, ", options_.key_size(),
              "], got ", key.sizes());
  check_batch("erase_and_add", "key", key);
  const std::vector<int64_t> value_shape{key.size(0), options_.value_size()};
  TORCH_CHECK(erase.sizes() == at::IntArrayRef(value_shape),
              "KeyValueMemory::erase_and_add: argument 'erase' expected ",
              at::IntArrayRef(value_shape), ", got ", erase.sizes());
  TORCH_CHECK(add.sizes() == at::IntArrayRef(value_shape),
              "KeyValueMemory::erase_and_add: argument 'add' expected ",
              at::IntArrayRef(value_shape), ", got ", add.sizes());
  TORCH_CHECK(!gate.defined() || gate.sizes() == at::IntArrayRef({key.size(0)}),
              "KeyValueMemory::erase_and_add: argument 'gate' expected [", key.size(0), "], got ",
              gate.sizes());
  // Every slot is addressable by the write, written or not (as in the DNC).
  at::Tensor weights = at::softmax(log_beta_.exp() * similarity(key), -1);
  if (gate.defined())
    weights = weights * gate.unsqueeze(1);
  const at::Tensor w = weights.unsqueeze(2);
  state_.values = state_.values * (1.0 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1);
  state_.keys = state_.keys + w * (key.unsqueeze(1) - state_.keys);
  state_.filled = at::ones_like(state_.filled);
  state_.usage = state_.usage * options_.usage_decay() + weights.detach();
  return weights;
}

void KeyValueMemoryImpl::move_state(const std::optional<torch::Device>& device,
                                    const std::optional<torch::Dtype>& dtype, bool non_blocking) {
  if (state_.batch_size() == 0)
    return;
  auto move = [&](at::Tensor& t, bool floating) {
    t = t.to(device.value_or(t.device()), floating && dtype ? *dtype : t.scalar_type(),
             non_blocking);
  };
  move(state_.keys, true);
  move(state_.values, true);
  move(state_.usage, true);
  move(state_.filled, false);
  move(state_.next_slot, false);
}

void KeyValueMemoryImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(device, dtype, non_blocking);
  move_state(device, dtype, non_blocking);
}

void KeyValueMemoryImpl::to(torch::Dtype dtype, bool non_blocking) {
  torch::nn::Module::to(dtype, non_blocking);
  move_state(std::nullopt, dtype, non_blocking);
}

void KeyValueMemoryImpl::to(torch::Device device, bool non_blocking) {
  torch::nn::Module::to(device, non_blocking);
  move_state(device, std::nullopt, non_blocking);
}

void KeyValueMemoryImpl::save(torch::serialize::OutputArchive& archive) const {
  torch::nn::Module::save(archive);
  if (state_.batch_size() == 0)
    return;
  archive.write("state_keys", state_.keys.detach(), /*is_buffer=*/true);
  archive.write("state_values", state_.values.detach(), /*is_buffer=*/true);
  archive.write("state_usage", state_.usage, /*is_buffer=*/true);
  archive.write("state_filled", state_.filled, /*is_buffer=*/true);
  archive.write("state_next_slot", state_.next_slot, /*is_buffer=*/true);
}

void KeyValueMemoryImpl::load(torch::serialize::InputArchive& archive) {
  torch::nn::Module::load(archive);
  KeyValueMemoryState loaded;
  if (!archive.try_read("state_keys", loaded.keys, /*is_buffer=*/true)) {
    state_ = KeyValueMemoryState{};
    return;
  }
  archive.read("state_values", loaded.values, /*is_buffer=*/true);
  archive.read("state_usage", loaded.usage, /*is_buffer=*/true);
  archive.read("state_filled", loaded.filled, /*is_buffer=*/true);
  archive.read("state_next_slot", loaded.next_slot, /*is_buffer=*/true);
  set_state(std::move(loaded));
}

void KeyValueMemoryImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::KeyValueMemory(capacity=" << options_.capacity()
         << ", key_size=" << options_.key_size() << ", value_size=" << options_.value_size()
         << ", addressing="
         << (options_.addressing() == MemoryAddressing::kCosine ? "cosine" : "dot")
         << ", beta=" << options_.beta() << ", learn_beta=" << options_.learn_beta()
         << ", top_k=" << options_.top_k() << ", usage_decay=" << options_.usage_decay() << ")";
}

} // namespace engram::layers::memory
