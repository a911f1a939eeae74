#include <engram/layers/memory/associative_recall_model.h>

#include <ostream>

namespace engram::layers::memory {

AssociativeRecallModelImpl::AssociativeRecallModelImpl(AssociativeRecallModelOptions options)
    : options_(options) {
  TORCH_CHECK(options_.symbols() > 1 && options_.pairs() > 0 && options_.width() > 0,
              "AssociativeRecallModel: expected symbols > 1, pairs > 0, width > 0, got ",
              options_.symbols(), ", ", options_.pairs(), ", ", options_.width());
  key_encoder =
      register_module("key_encoder", torch::nn::Linear(options_.symbols(), options_.width()));
  value_encoder =
      register_module("value_encoder", torch::nn::Linear(options_.symbols(), options_.width()));
  decoder = register_module("decoder", torch::nn::Linear(options_.width(), options_.symbols()));
  memory = register_module(
      "memory",
      KeyValueMemory(KeyValueMemoryOptions(options_.pairs(), options_.width(), options_.width())
                         .beta(options_.beta())));
}

at::Tensor AssociativeRecallModelImpl::forward(const tasks::AssociativeRecallBatch& episode) {
  TORCH_CHECK(episode.keys.dim() == 2 && episode.keys.size(1) == options_.pairs() &&
                  episode.values.sizes() == episode.keys.sizes(),
              "AssociativeRecallModel: arguments 'keys' and 'values' expected [B, ",
              options_.pairs(), "], got ", episode.keys.sizes(), " and ", episode.values.sizes());
  TORCH_CHECK(episode.query.dim() == 1 && episode.query.size(0) == episode.keys.size(0),
              "AssociativeRecallModel: argument 'query' expected [", episode.keys.size(0),
              "], got ", episode.query.sizes());
  const auto device = key_encoder->weight.device();
  auto encode = [&](torch::nn::Linear& encoder, const at::Tensor& symbols) {
    return encoder(at::one_hot(symbols.to(device), options_.symbols()).to(encoder->weight.dtype()));
  };
  memory->reset(episode.keys.size(0));
  memory->append(encode(key_encoder, episode.keys), encode(value_encoder, episode.values));
  return decoder(memory->read(encode(key_encoder, episode.query)));
}

void AssociativeRecallModelImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::layers::memory::AssociativeRecallModel(symbols=" << options_.symbols()
         << ", pairs=" << options_.pairs() << ", width=" << options_.width() << ")";
}

} // namespace engram::layers::memory
