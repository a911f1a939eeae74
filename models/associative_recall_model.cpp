#include <engram/models/associative_recall_model.h>

#include <ostream>

namespace engram::models {

AssociativeRecallModelImpl::AssociativeRecallModelImpl(AssociativeRecallModelOptions options_)
    : options(options_) {
  TORCH_CHECK(options.symbols() > 1 && options.pairs() > 0 && options.width() > 0,
              "AssociativeRecallModel: expected symbols > 1, pairs > 0, width > 0, got ",
              options.symbols(), ", ", options.pairs(), ", ", options.width());
  reset();
}

void AssociativeRecallModelImpl::reset() {
  key_encoder =
      register_module("key_encoder", torch::nn::Linear(options.symbols(), options.width()));
  value_encoder =
      register_module("value_encoder", torch::nn::Linear(options.symbols(), options.width()));
  decoder = register_module("decoder", torch::nn::Linear(options.width(), options.symbols()));
  memory = register_module("memory", layers::memory::KeyValueMemory(
                                         layers::memory::KeyValueMemoryOptions(
                                             options.pairs(), options.width(), options.width())
                                             .beta(options.beta())));
}

at::Tensor AssociativeRecallModelImpl::forward(const tasks::AssociativeRecallBatch& episode) {
  TORCH_CHECK(episode.keys.dim() == 2 && episode.keys.size(1) == options.pairs() &&
                  episode.values.sizes() == episode.keys.sizes(),
              "AssociativeRecallModel: arguments 'keys' and 'values' expected [B, ",
              options.pairs(), "], got ", episode.keys.sizes(), " and ", episode.values.sizes());
  TORCH_CHECK(episode.query.dim() == 1 && episode.query.size(0) == episode.keys.size(0),
              "AssociativeRecallModel: argument 'query' expected [", episode.keys.size(0),
              "], got ", episode.query.sizes());
  const auto device = key_encoder->weight.device();
  auto encode = [&](torch::nn::Linear& encoder, const at::Tensor& symbols) {
    return encoder(at::one_hot(symbols.to(device), options.symbols()).to(encoder->weight.dtype()));
  };
  memory->reset_state(episode.keys.size(0));
  memory->append(encode(key_encoder, episode.keys), encode(value_encoder, episode.values));
  return decoder(memory->read(encode(key_encoder, episode.query)));
}

void AssociativeRecallModelImpl::pretty_print(std::ostream& stream) const {
  stream << "engram::models::AssociativeRecallModel(symbols=" << options.symbols()
         << ", pairs=" << options.pairs() << ", width=" << options.width() << ")";
}

} // namespace engram::models
