// libFuzzer target: a migration file, YAML or JSON, through the loader
// (document, field reader, every operation's parser). docs/fuzzing.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string problem = pleat::fuzz::RunLoaderInput(std::string(reinterpret_cast<const char*>(data), size));
  if (!problem.empty()) {
    fprintf(stderr, "%s\n", problem.c_str());
    abort();
  }
  return 0;
}
