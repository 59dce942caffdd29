// Every input the fuzz targets found a problem with (tests/migration/
// fuzz_regressions/loader/ and .../expression/, docs/fuzzing.md) is replayed
// through the same code the targets run: it must neither crash nor break a
// promise fuzz/fuzz_inputs.h checks.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "fuzz_inputs.h"

namespace pleat::fuzz {
namespace {

namespace fs = std::filesystem;

template <typename Run>
void ReplayAll(const std::string& kind, Run run) {
  fs::path dir = fs::path(PLEAT_FUZZ_REGRESSIONS) / kind;
  if (!fs::exists(dir)) return;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::stringstream text;
    text << std::ifstream(entry.path(), std::ios::binary).rdbuf();
    EXPECT_EQ(run(text.str()), "") << entry.path();
  }
}

TEST(FuzzRegressionsTest, LoaderInputs) { ReplayAll("loader", RunLoaderInput); }

TEST(FuzzRegressionsTest, ExpressionInputs) { ReplayAll("expression", RunExpressionInput); }

}  // namespace
}  // namespace pleat::fuzz
