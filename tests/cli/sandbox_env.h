#ifndef PLEAT_TESTS_CLI_SANDBOX_ENV_H_
#define PLEAT_TESTS_CLI_SANDBOX_ENV_H_
// SandboxTest: a fixture for tests of `pleat sandbox`. Each test gets its own
// XDG_RUNTIME_DIR (so its sandbox's state file is its own, whoever else runs
// tests on the machine), and TearDown runs `pleat sandbox stop` there, so no
// server outlives the test, even when an assertion failed half-way.

#include <gtest/gtest.h>

#include <string>

#include "cli/run_pleat.h"

namespace pleat::testing {

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // The environment every command of the test runs with: its XDG_RUNTIME_DIR
  // and PATH starting with the directory of the pleat under test.
  RunEnv Env() const;
  // `pleat sandbox VERB`.
  PleatRun RunSandbox(const std::string& verb) const;
  // The sandbox's state file (which may not exist).
  std::string StateFile() const { return run_dir_ + "/pleat-sandbox/state"; }

  std::string run_dir_;
};

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_CLI_SANDBOX_ENV_H_
