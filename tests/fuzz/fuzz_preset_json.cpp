// libFuzzer harness: arbitrary bytes into engram::fuzz::preset_json (see fuzz_entries.h).
#include <fuzz/fuzz_entries.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engram::fuzz::preset_json(data, size);
  return 0;
}
