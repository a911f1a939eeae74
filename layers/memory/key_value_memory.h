#pragma once
// Key-value memory: K slots, each a key and a value vector, held per batch element. Reads address
// slots by content (dot product or cosine similarity, sharpened by a learnable beta, optionally
// restricted to the top k) and return the softmax-weighted sum of values, so the whole read is
// differentiable. Writes: append into a ring buffer, replace the least-used slot (usage decays
// every operation, reads refresh it), or the DNC's gated erase-and-add (Graves et al. 2016).
// Multi-hop reads follow end-to-end memory networks (Sukhbaatar et al. 2015): u <- u + o.
//
// The state lives in the module (reset_state(batch) starts an episode) in registered buffers, so
// that torch::save / torch::load / clone() / to() carry it together with the parameters.
#include <ATen/ATen.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <optional>

namespace engram::layers::memory {

enum class MemoryAddressing { kDot, kCosine };

struct KeyValueMemoryOptions {
  KeyValueMemoryOptions(int64_t capacity, int64_t key_size, int64_t value_size)
      : capacity_(capacity), key_size_(key_size), value_size_(value_size) {}
  /// Number of slots K.
  TORCH_ARG(int64_t, capacity);
  /// Size of each key (and of the queries).
  TORCH_ARG(int64_t, key_size);
  /// Size of each value (and of what a read returns).
  TORCH_ARG(int64_t, value_size);
  /// Similarity of a query to the keys: dot product or cosine similarity.
  TORCH_ARG(MemoryAddressing, addressing) = MemoryAddressing::kCosine;
  /// Initial sharpness beta > 0 of the softmax over similarities (a parameter, kept positive by
  /// learning its logarithm, when learn_beta).
  TORCH_ARG(double, beta) = 1.0;
  /// Learn beta (log_beta is a parameter); otherwise it is a fixed buffer.
  TORCH_ARG(bool, learn_beta) = true;
  /// Read from the k most similar slots only; 0 reads from all.
  TORCH_ARG(int64_t, top_k) = 0;
  /// Usage is multiplied by this at every read and write, in (0, 1].
  TORCH_ARG(double, usage_decay) = 0.99;
};

/// Per-batch state: keys [B, K, key_size], values [B, K, value_size], usage [B, K] (no gradient),
/// filled [B, K] (bool: slot holds a written item), next_slot [B] (int64: ring-buffer position).
/// All undefined while the memory holds no episode.
struct KeyValueMemoryState {
  at::Tensor keys, values, usage, filled, next_slot;
  int64_t batch_size() const { return keys.defined() ? keys.size(0) : 0; }
};

/// A differentiable key-value memory with content-based reads and ring-buffer, least-used or
/// DNC-style writes. Its episode state lives in the module: reset_state(batch) empties it.
///
/// Example:
/// ```
/// KeyValueMemory memory(KeyValueMemoryOptions(/*capacity=*/8, /*key_size=*/4,
///                                             /*value_size=*/3).beta(5.0));
/// memory->reset_state(/*batch=*/2);
/// memory->append(torch::randn({2, 8, 4}), torch::randn({2, 8, 3}));
/// at::Tensor read = memory(torch::randn({2, 4})); // [2, 3]
/// ```
class KeyValueMemoryImpl : public torch::nn::Cloneable<KeyValueMemoryImpl> {
public:
  KeyValueMemoryImpl(int64_t capacity, int64_t key_size, int64_t value_size)
      : KeyValueMemoryImpl(KeyValueMemoryOptions(capacity, key_size, value_size)) {}
  explicit KeyValueMemoryImpl(KeyValueMemoryOptions options_);

  /// Registers log_beta and the (empty) state buffers, then calls reset_parameters().
  void reset() override;
  /// log_beta = log(options.beta()).
  void reset_parameters();

  /// Empties the memory for a batch of `batch` episodes (device and dtype of the parameters, or
  /// of `like` when given).
  void reset_state(int64_t batch, const std::optional<at::TensorOptions>& like = std::nullopt);

  /// Read weights [B, K] of query [B, key_size]: softmax over beta * similarity of the filled
  /// slots (top-k when set); all zero while nothing is stored. Does not touch usage.
  at::Tensor address(const at::Tensor& query) const;
  /// Weighted sum of values [B, value_size]; refreshes the usage of the slots read.
  at::Tensor read(const at::Tensor& query);
  /// read(query).
  at::Tensor forward(const at::Tensor& query) { return read(query); }
  /// End-to-end memory network reads: u_0 = query, u_{h+1} = u_h + read(u_h); returns u_hops.
  /// Needs key_size == value_size.
  at::Tensor read_multi_hop(const at::Tensor& query, int64_t hops);

  /// Ring-buffer append of keys [B, key_size] and values [B, value_size], or of N items at once
  /// ([B, N, ...], N <= capacity), overwriting the oldest slots once the memory is full.
  /// Returns the slots written, [B] or [B, N].
  at::Tensor append(const at::Tensor& keys, const at::Tensor& values);
  /// Writes each item over the slot of least usage (empty slots first); returns the slots.
  at::Tensor replace_least_used(const at::Tensor& keys, const at::Tensor& values);
  /// DNC write: w = gate * content weights of `key` over all slots; values <- values * (1 - w
  /// erase^T) + w add^T and keys move towards `key` by w. erase in [0, 1]; gate [B] in [0, 1]
  /// (undefined: 1). Returns w [B, K].
  at::Tensor erase_and_add(const at::Tensor& key, const at::Tensor& erase, const at::Tensor& add,
                           const at::Tensor& gate = {});

  /// Current sharpness (positive).
  at::Tensor beta() const { return log_beta_.exp(); }
  /// The episode state (filled as bool, next_slot as int64); undefined tensors before
  /// reset_state.
  KeyValueMemoryState state() const;
  /// Replaces the state (e.g. one kept from an earlier episode); its sizes are checked.
  void set_state(KeyValueMemoryState state);

  void pretty_print(std::ostream& stream) const override;

  /// The options used to configure this module.
  KeyValueMemoryOptions options;

private:
  at::Tensor similarity(const at::Tensor& keys, const at::Tensor& query) const;
  void check_items(const char* fn, const at::Tensor& keys, const at::Tensor& values) const;
  void check_batch(const char* fn, const char* arg, const at::Tensor& t) const;
  int64_t batch_size() const { return keys_.size(0); }
  void write_slots(const at::Tensor& slots, const at::Tensor& keys, const at::Tensor& values);
  const at::Tensor& current_keys() const { return live(live_keys_, keys_); }
  const at::Tensor& current_values() const { return live(live_values_, values_); }
  void set_keys(const at::Tensor& keys);
  void set_values(const at::Tensor& values);
  static const at::Tensor& live(at::Tensor& live, const at::Tensor& buffer);

  at::Tensor log_beta_;
  // The state, in registered buffers ("state_keys", ...): batch 0 while the memory holds no
  // episode. A buffer records no gradient, so the keys and values are also kept as the tensors
  // the last write returned (live_*), which carry the episode's graph; the buffers point at their
  // data (set_data: no copy). When a buffer no longer aliases its live tensor, to(), load() or
  // clone() replaced it, and the buffer is read instead.
  at::Tensor keys_, values_, usage_, filled_, next_slot_;
  mutable at::Tensor live_keys_, live_values_;
};

/// A `ModuleHolder` subclass for `KeyValueMemoryImpl`.
TORCH_MODULE(KeyValueMemory);

} // namespace engram::layers::memory
