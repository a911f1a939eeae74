// libFuzzer harness: arbitrary bytes into engram::fuzz::cifar_file (see fuzz_entries.h).
#include <fuzz/fuzz_entries.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engram::fuzz::cifar_file(data, size);
  return 0;
}
