#include <engram/layers/memory/key_value_memory.h>

#include <limits>
#include <ostream>

namespace engram::layers::memory {
namespace {

at::Tensor l2_normalize(const at::Tensor& x) {
  return x / x.norm(2, {-1}, /*keepdim=*/true).clamp_min(1e-8);
}

} // namespace

KeyValueMemoryImpl::KeyValueMemoryImpl(KeyValueMemoryOptions options_)
    : options(std::move(options_)) {
  TORCH_CHECK(options.capacity() > 0, "KeyValueMemory: argument 'capacity' expected > 0, got ",
              options.capacity());
  TORCH_CHECK(options.key_size() > 0, "KeyValueMemory: argument 'key_size' expected > 0, got ",
              options.key_size());
  TORCH_CHECK(options.value_size() > 0, "KeyValueMemory: argument 'value_size' expected > 0, got ",
              options.value_size());
  TORCH_CHECK(options.beta() > 0.0 && std::isfinite(options.beta()),
              "KeyValueMemory: argument 'beta' expected a finite value > 0, got ", options.beta());
  TORCH_CHECK(options.top_k() >= 0, "KeyValueMemory: argument 'top_k' expected >= 0, got ",
              options.top_k());
  TORCH_CHECK(options.usage_decay() > 0.0 && options.usage_decay() <= 1.0,
              "KeyValueMemory: argument 'usage_decay' expected in (0, 1], got ",
              options.usage_decay());
  reset();
}

void KeyValueMemoryImpl::reset() {
  const at::Tensor log_beta = at::empty({});
  log_beta_ = options.learn_beta() ? register_parameter("log_beta", log_beta)
                                   : register_buffer("log_beta", log_beta);
  const int64_t slots = options.capacity();
  keys_ = register_buffer("state_keys", at::zeros({0, slots, options.key_size()}));
  values_ = register_buffer("state_values", at::zeros({0, slots, options.value_size()}));
  usage_ = register_buffer("state_usage", at::zeros({0, slots}));
  filled_ = register_buffer("state_filled", at::zeros({0, slots}, at::kBool));
  next_slot_ = register_buffer("state_next_slot", at::zeros({0}, at::kLong));
  live_keys_ = at::Tensor();
  live_values_ = at::Tensor();
  reset_parameters();
}

void KeyValueMemoryImpl::reset_parameters() {
  at::NoGradGuard no_grad;
  log_beta_.fill_(std::log(options.beta()));
}

const at::Tensor& KeyValueMemoryImpl::live(at::Tensor& live, const at::Tensor& buffer) {
  const bool current =
      live.defined() && live.is_alias_of(buffer) && live.sizes() == buffer.sizes() &&
      live.strides() == buffer.strides() && live.storage_offset() == buffer.storage_offset() &&
      live.scalar_type() == buffer.scalar_type() && live.device() == buffer.device();
  if (!current)
    live = buffer.detach();
  return live;
}

void KeyValueMemoryImpl::set_keys(const at::Tensor& keys) {
  keys_.set_data(keys);
  live_keys_ = keys;
}

void KeyValueMemoryImpl::set_values(const at::Tensor& values) {
  values_.set_data(values);
  live_values_ = values;
}

void KeyValueMemoryImpl::reset_state(int64_t batch, const std::optional<at::TensorOptions>& like) {
  TORCH_CHECK(batch > 0, "KeyValueMemory::reset_state: argument 'batch' expected > 0, got ", batch);
  const at::TensorOptions opts = like.value_or(log_beta_.options()).requires_grad(false);
  const int64_t slots = options.capacity();
  set_keys(at::zeros({batch, slots, options.key_size()}, opts));
  set_values(at::zeros({batch, slots, options.value_size()}, opts));
  usage_.set_data(at::zeros({batch, slots}, opts));
  filled_.set_data(at::zeros({batch, slots}, opts.dtype(at::kBool)));
  next_slot_.set_data(at::zeros({batch}, opts.dtype(at::kLong)));
}

KeyValueMemoryState KeyValueMemoryImpl::state() const {
  if (batch_size() == 0)
    return {};
  // Handles of their own: later writes re-point the buffers (set_data) and must not change a
  // state handed out before. to() converts every buffer to the module's dtype; the flags and
  // positions are read back as the types they were written in.
  auto own = [](const at::Tensor& buffer, at::ScalarType type) {
    return buffer.scalar_type() == type ? buffer.detach() : buffer.to(type);
  };
  return {current_keys(), current_values(), usage_.detach(), own(filled_, at::kBool),
          own(next_slot_, at::kLong)};
}

void KeyValueMemoryImpl::set_state(KeyValueMemoryState state) {
  const int64_t batch = state.batch_size();
  const int64_t slots = options.capacity();
  TORCH_CHECK(batch > 0, "KeyValueMemory::set_state: argument 'state' expected defined keys");
  auto expect = [&](const at::Tensor& t, std::vector<int64_t> shape, const char* name) {
    TORCH_CHECK(t.defined() && t.sizes() == at::IntArrayRef(shape),
                "KeyValueMemory::set_state: argument 'state' expected ", name, " of shape ",
                at::IntArrayRef(shape), ", got ",
                t.defined() ? c10::str(t.sizes()) : std::string("undefined"));
  };
  expect(state.keys, {batch, slots, options.key_size()}, "keys");
  expect(state.values, {batch, slots, options.value_size()}, "values");
  expect(state.usage, {batch, slots}, "usage");
  expect(state.filled, {batch, slots}, "filled");
  expect(state.next_slot, {batch}, "next_slot");
  set_keys(state.keys);
  set_values(state.values);
  usage_.set_data(state.usage);
  filled_.set_data(state.filled);
  next_slot_.set_data(state.next_slot);
}

void KeyValueMemoryImpl::check_batch(const char* fn, const char* arg, const at::Tensor& t) const {
  TORCH_CHECK(batch_size() > 0, "KeyValueMemory::", fn,
              ": the memory has no state; call reset_state(batch) first");
  const int64_t batch = batch_size(), slots = options.capacity();
  // A state loaded from another memory's archive may not fit this one's options.
  TORCH_CHECK(keys_.sizes() == at::IntArrayRef({batch, slots, options.key_size()}) &&
                  values_.sizes() == at::IntArrayRef({batch, slots, options.value_size()}) &&
                  usage_.sizes() == at::IntArrayRef({batch, slots}) &&
                  filled_.sizes() == at::IntArrayRef({batch, slots}) &&
                  next_slot_.sizes() == at::IntArrayRef({batch}),
              "KeyValueMemory::", fn, ": the state's shapes (keys ", keys_.sizes(), ", values ",
              values_.sizes(), ") do not match capacity ", slots, ", key_size ", options.key_size(),
              ", value_size ", options.value_size());
  TORCH_CHECK(t.size(0) == batch, "KeyValueMemory::", fn, ": argument '", arg,
              "' expected batch size ", batch, " (the memory's, set by reset_state), got ",
              t.size(0));
}

void KeyValueMemoryImpl::check_items(const char* fn, const at::Tensor& keys,
                                     const at::Tensor& values) const {
  TORCH_CHECK(keys.dim() == 2 || keys.dim() == 3, "KeyValueMemory::", fn,
              ": argument 'keys' expected [B, key_size] or [B, N, key_size], got ", keys.sizes());
  TORCH_CHECK(values.dim() == keys.dim(), "KeyValueMemory::", fn, ": argument 'values' expected ",
              keys.dim(), " dims like 'keys', got ", values.sizes());
  TORCH_CHECK(keys.size(-1) == options.key_size(), "KeyValueMemory::", fn,
              ": argument 'keys' expected key size ", options.key_size(), ", got ", keys.size(-1));
  TORCH_CHECK(values.size(-1) == options.value_size(), "KeyValueMemory::", fn,
              ": argument 'values' expected value size ", options.value_size(), ", got ",
              values.size(-1));
  TORCH_CHECK(keys.sizes().slice(0, keys.dim() - 1) == values.sizes().slice(0, keys.dim() - 1),
              "KeyValueMemory::", fn,
              ": arguments 'keys' and 'values' expected the same batch and item count, got ",
              keys.sizes(), " and ", values.sizes());
  check_batch(fn, "keys", keys);
}

at::Tensor KeyValueMemoryImpl::similarity(const at::Tensor& keys, const at::Tensor& query) const {
  if (options.addressing() == MemoryAddressing::kCosine) {
    return at::bmm(l2_normalize(keys), l2_normalize(query).unsqueeze(2)).squeeze(2);
  }
  return at::bmm(keys, query.unsqueeze(2)).squeeze(2);
}

at::Tensor KeyValueMemoryImpl::address(const at::Tensor& query) const {
  TORCH_CHECK(query.dim() == 2 && query.size(1) == options.key_size(),
              "KeyValueMemory::address: argument 'query' expected [B, ", options.key_size(),
              "], got ", query.sizes());
  check_batch("address", "query", query);
  const at::Tensor logits = log_beta_.exp() * similarity(current_keys(), query);
  // A finite floor instead of -inf keeps the gradients of rows with nothing stored at zero.
  const double lowest = -std::numeric_limits<float>::max();
  const at::Tensor filled = filled_.to(at::kBool);
  at::Tensor mask = filled;
  const int64_t k = options.top_k();
  if (k > 0 && k < options.capacity()) {
    const at::Tensor kth =
        std::get<0>(logits.detach().masked_fill(~mask, lowest).topk(k, -1)).narrow(1, k - 1, 1);
    mask = mask & (logits.detach() >= kth);
  }
  const at::Tensor weights = at::softmax(logits.masked_fill(~mask, lowest), -1);
  return weights * filled.any(-1, /*keepdim=*/true).to(weights.scalar_type());
}

at::Tensor KeyValueMemoryImpl::read(const at::Tensor& query) {
  const at::Tensor weights = address(query);
  usage_.set_data(usage_ * options.usage_decay() + weights.detach());
  return at::bmm(weights.unsqueeze(1), current_values()).squeeze(1);
}

at::Tensor KeyValueMemoryImpl::read_multi_hop(const at::Tensor& query, int64_t hops) {
  TORCH_CHECK(hops > 0, "KeyValueMemory::read_multi_hop: argument 'hops' expected > 0, got ", hops);
  TORCH_CHECK(options.key_size() == options.value_size(),
              "KeyValueMemory::read_multi_hop: needs key_size == value_size, got ",
              options.key_size(), " and ", options.value_size());
  at::Tensor u = query;
  for (int64_t hop = 0; hop < hops; ++hop)
    u = u + read(u);
  return u;
}

void KeyValueMemoryImpl::write_slots(const at::Tensor& slots, const at::Tensor& keys,
                                     const at::Tensor& values) {
  const at::Tensor rows = at::arange(slots.size(0), slots.options()).unsqueeze(1).expand_as(slots);
  const c10::List<std::optional<at::Tensor>> index({rows, slots});
  const at::Tensor old_keys = current_keys();
  const at::Tensor old_values = current_values();
  set_keys(old_keys.index_put(index, keys.to(old_keys.scalar_type())));
  set_values(old_values.index_put(index, values.to(old_values.scalar_type())));
  at::Tensor usage = usage_ * options.usage_decay();
  usage_.set_data(usage.index_put(index, usage.index(index) + 1.0));
  const at::Tensor filled = filled_.to(at::kBool);
  filled_.set_data(filled.index_put(index, at::ones({}, filled.options())));
}

at::Tensor KeyValueMemoryImpl::append(const at::Tensor& keys, const at::Tensor& values) {
  check_items("append", keys, values);
  const bool single = keys.dim() == 2;
  const at::Tensor k = single ? keys.unsqueeze(1) : keys;
  const at::Tensor v = single ? values.unsqueeze(1) : values;
  const int64_t items = k.size(1);
  TORCH_CHECK(items <= options.capacity(),
              "KeyValueMemory::append: argument 'keys' expected at "
              "most capacity = ",
              options.capacity(), " items at once, got ", items);
  const at::Tensor next_slot = next_slot_.to(at::kLong);
  const at::Tensor slots =
      (next_slot.unsqueeze(1) + at::arange(items, next_slot.options())) % options.capacity();
  write_slots(slots, k, v);
  next_slot_.set_data((next_slot + items) % options.capacity());
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
        usage_.masked_fill(~filled_.to(at::kBool), -1.0).argmin(-1, /*keepdim=*/true);
    write_slots(slot, k.narrow(1, n, 1), v.narrow(1, n, 1));
    chosen.push_back(slot);
  }
  const at::Tensor slots = at::cat(chosen, 1);
  return single ? slots.squeeze(1) : slots;
}

at::Tensor KeyValueMemoryImpl::erase_and_add(const at::Tensor& key, const at::Tensor& erase,
                                             const at::Tensor& add, const at::Tensor& gate) {
  TORCH_CHECK(key.dim() == 2 && key.size(1) == options.key_size(),
              "KeyValueMemory::erase_and_add: argument 'key' expected [B, ", options.key_size(),
              "], got ", key.sizes());
  check_batch("erase_and_add", "key", key);
  const std::vector<int64_t> value_shape{key.size(0), options.value_size()};
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
  at::Tensor weights = at::softmax(log_beta_.exp() * similarity(current_keys(), key), -1);
  if (gate.defined())
    weights = weights * gate.unsqueeze(1);
  const at::Tensor w = weights.unsqueeze(2);
  const at::Tensor old_values = current_values();
  set_values(old_values * (1.0 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1));
  const at::Tensor old_keys = current_keys();
  set_keys(old_keys + w * (key.unsqueeze(1) - old_keys));
  filled_.set_data(at::ones_like(filled_.to(at::kBool)));
  usage_.set_data(usage_ * options.usage_decay() + weights.detach());
  return weights;
}

void KeyValueMemoryImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::KeyValueMemory(capacity=" << options.capacity()
         << ", key_size=" << options.key_size() << ", value_size=" << options.value_size()
         << ", addressing="
         << (options.addressing() == MemoryAddressing::kCosine ? "cosine" : "dot")
         << ", beta=" << options.beta() << ", learn_beta=" << options.learn_beta()
         << ", top_k=" << options.top_k() << ", usage_decay=" << options.usage_decay() << ")";
}

} // namespace engram::layers::memory
