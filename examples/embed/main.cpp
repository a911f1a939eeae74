// Embedding engram in an application: link Engram::engram, include <engram/...>.
#include <engram/core/build_info.h>

#include <torch/types.h>
#include <torch/utils.h>

#include <iostream>

int main() {
  const auto info = engram::build_info();
  std::cout << "engram " << info.engram_version << " on LibTorch " << info.torch_version << "\n";
  torch::manual_seed(0);
  const auto x = torch::randn({4, 8});
  std::cout << "input norm " << x.norm().item<double>() << "\n";
  std::cout << "embed example: ok\n";
  return 0;
}
