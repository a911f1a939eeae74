// libFuzzer harness: arbitrary bytes into engram::fuzz::checkpoint_payload (see fuzz_entries.h).
#include <fuzz/fuzz_entries.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engram::fuzz::checkpoint_payload(data, size);
  return 0;
}
