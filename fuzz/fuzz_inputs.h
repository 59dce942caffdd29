#ifndef PLEAT_FUZZ_FUZZ_INPUTS_H_
#define PLEAT_FUZZ_FUZZ_INPUTS_H_
// What the fuzz targets (fuzz/*_fuzz.cc) do with one input, shared with the
// regression test that replays the inputs they found (tests/migration/
// fuzz_regressions_test.cc), so the normal build checks them too. Each returns
// "" or a broken promise the input showed; a crash, hang or leak shows itself.

#include <string>

namespace pleat::fuzz {

// A whole migration file: JSON when its first non-blank byte is `{` or `[`,
// else YAML. Loading may refuse it; it must not crash.
std::string RunLoaderInput(const std::string& data);

// One field for the libpg_query based parsers, chosen by the first byte:
// `T` a type name, `S` sequence options, `C` an open line comment check, any
// other byte an expression (whose column renaming must still parse).
std::string RunExpressionInput(const std::string& data);

}  // namespace pleat::fuzz

#endif  // PLEAT_FUZZ_FUZZ_INPUTS_H_
