#include <engram/models/pretrained.h>

#include <c10/util/Exception.h>
#include <torch/serialize/input-archive.h>

#include <filesystem>

namespace engram::models {

namespace {

int64_t copy_matching(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                      const std::string& prefix, const std::string& path) {
  int64_t copied = 0;
  at::NoGradGuard no_grad;
  for (const bool buffers : {false, true}) {
    auto tensors = buffers ? module.named_buffers(/*recurse=*/false)
                           : module.named_parameters(/*recurse=*/false);
    for (auto& item : tensors) {
      at::Tensor stored;
      if (!archive.try_read(item.key(), stored, buffers))
        continue;
      TORCH_CHECK(stored.sizes() == item.value().sizes(), "pretrained weights '", path,
                  "': ", prefix, item.key(), " has shape ", stored.sizes(), ", the network's has ",
                  item.value().sizes());
      item.value().copy_(stored);
      ++copied;
    }
  }
  for (const auto& child : module.named_children()) {
    if (prefix.empty() && child.key() == "head")
      continue;
    torch::serialize::InputArchive sub;
    if (archive.try_read(child.key(), sub))
      copied += copy_matching(*child.value(), sub, prefix + child.key() + ".", path);
  }
  return copied;
}

} // namespace

int64_t load_pretrained_body(NetworkImpl& network, const std::string& path) {
  TORCH_CHECK(std::filesystem::is_regular_file(path), "pretrained weights: no such file '", path,
              "'");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, "pretrained weights '", path, "': not a checkpoint or saved network (",
                e.what_without_backtrace(), ")");
  }
  torch::serialize::InputArchive model;
  const bool checkpoint = archive.try_read("model", model);
  const int64_t copied = copy_matching(network, checkpoint ? model : archive, "", path);
  TORCH_CHECK(copied > 0, "pretrained weights '", path,
              "': no tensor matches a layer of the network's body (names are layer<i>_<type>...)");
  return copied;
}

} // namespace engram::models
