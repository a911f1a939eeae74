#pragma once
// Key-value memory: K slots, each a key and a value vector, held per batch element. Reads address
// slots by content (dot product or cosine similarity, sharpened by a learnable beta, optionally
// restricted to the top k) and return the softmax-weighted sum of values, so the whole read is
// differentiable. Writes: append into a ring buffer, replace the least-used slot (usage decays
// every operation, reads refresh it), or the DNC's gated erase-and-add (Graves et al. 2016).
// Multi-hop reads follow end-to-end memory networks (Sukhbaatar et al. 2015): u <- u + o.
//
// The state lives in the module (reset(batch) starts an episode) and is saved, loaded and moved
// by torch::save / torch::load / to() together with the parameters.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <optional>

namespace engram::layers::memory {

enum class MemoryAddressing { kDot, kCosine };

struct KeyValueMemoryOptions {
  KeyValueMemoryOptions(int64_t capacity, int64_t key_size, int64_t value_size)
      : capacity_(capacity), key_size_(key_size), value_size_(value_size) {}
  /// Number of slots K.
  TORCH_ARG(int64_t, capacity);
  TORCH_ARG(int64_t, key_size);
  TORCH_ARG(int64_t, value_size);
  TORCH_ARG(MemoryAddressing, addressing) = MemoryAddressing::kCosine;
  /// Initial sharpness beta > 0 of the softmax over similarities (a parameter, kept positive by
  /// learning its logarithm, when learn_beta).
  TORCH_ARG(double, beta) = 1.0;
  TORCH_ARG(bool, learn_beta) = true;
  /// Read from the k most similar slots only; 0 reads from all.
  TORCH_ARG(int64_t, top_k) = 0;
  /// Usage is multiplied by this at every read and write, in (0, 1].
  TORCH_ARG(double, usage_decay) = 0.99;
};

/// Per-batch state: keys [B, K, key_size], values [B, K, value_size], usage [B, K] (no gradient),
/// filled [B, K] (bool: slot holds a written item), next_slot [B] (int64: ring-buffer position).
struct KeyValueMemoryState {
  at::Tensor keys, values, usage, filled, next_slot;
  int64_t batch_size() const { return keys.defined() ? keys.size(0) : 0; }
};

class KeyValueMemoryImpl : public torch::nn::Module {
public:
  KeyValueMemoryImpl(int64_t capacity, int64_t key_size, int64_t value_size)
      : KeyValueMemoryImpl(KeyValueMemoryOptions(capacity, key_size, value_size)) {}
  explicit KeyValueMemoryImpl(KeyValueMemoryOptions options);

  /// Empties the memory for a batch of `batch` episodes (device and dtype of the parameters, or
  /// of `like` when given).
  void reset(int64_t batch, const std::optional<at::TensorOptions>& like = std::nullopt);

  /// Read weights [B, K] of query [B, key_size]: softmax over beta * similarity of the filled
  /// slots (top-k when set); all zero while nothing is stored. Does not touch usage.
  at::Tensor address(const at::Tensor& query) const;
  /// Weighted sum of values [B, value_size]; refreshes the usage of the slots read.
  at::Tensor read(const at::Tensor& query);
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
  const KeyValueMemoryState& state() const { return state_; }
  /// Replaces the state (e.g. one kept from an earlier episode); its sizes are checked.
  void set_state(KeyValueMemoryState state);
  const KeyValueMemoryOptions& options() const { return options_; }

  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, bool non_blocking = false) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  void pretty_print(std::ostream& stream) const override;

private:
  at::Tensor similarity(const at::Tensor& query) const;
  void check_items(const char* fn, const at::Tensor& keys, const at::Tensor& values) const;
  void check_batch(const char* fn, const char* arg, const at::Tensor& t) const;
  void write_slots(const at::Tensor& slots, const at::Tensor& keys, const at::Tensor& values);
  void move_state(const std::optional<torch::Device>& device,
                  const std::optional<torch::Dtype>& dtype, bool non_blocking);

  KeyValueMemoryOptions options_;
  at::Tensor log_beta_;
  KeyValueMemoryState state_;
};

TORCH_MODULE(KeyValueMemory);

} // namespace engram::layers::memory
