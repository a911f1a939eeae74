// Writes a small CIFAR-format directory for the command-line tests:
//   engram_make_cifar_files cifar10|cifar100 DIR TRAIN_PER_CLASS TEST_PER_CLASS
#include "support/cifar_files.h"

#include <c10/util/Exception.h>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: engram_make_cifar_files cifar10|cifar100 DIR TRAIN_PER_CLASS "
                 "TEST_PER_CLASS\n";
    return 2;
  }
  const std::string format = argv[1], dir = argv[2];
  const int64_t train = std::stoll(argv[3]), test = std::stoll(argv[4]);
  try {
    if (format == "cifar10")
      engram::testing::write_cifar10_dir(dir, train, test);
    else if (format == "cifar100")
      engram::testing::write_cifar100_dir(dir, train, test);
    else
      throw std::invalid_argument("format expected cifar10 or cifar100, got '" + format + "'");
  } catch (const std::exception& e) {
    std::cerr << "engram_make_cifar_files: " << e.what() << "\n";
    return 1;
  }
  std::cout << "wrote " << format << " files to " << dir << "\n";
  return 0;
}
