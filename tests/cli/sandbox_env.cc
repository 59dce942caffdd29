#include "cli/sandbox_env.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace pleat::testing {

void SandboxTest::SetUp() {
  char tmpl[] = "/tmp/pleat_sandbox_test_XXXXXX";
  ASSERT_NE(nullptr, mkdtemp(tmpl)) << strerror(errno);
  run_dir_ = tmpl;
}

void SandboxTest::TearDown() {
  PleatRun stop = RunSandbox("stop");
  EXPECT_EQ(0, stop.exit_code) << "cleaning up: " << stop.Describe();
  std::error_code ec;
  std::filesystem::remove_all(run_dir_, ec);
}

RunEnv SandboxTest::Env() const {
  std::string bin_dir = std::filesystem::path(PleatBinary()).parent_path().string();
  const char* path = std::getenv("PATH");
  return {.set = {{"XDG_RUNTIME_DIR", run_dir_}, {"PATH", bin_dir + ":" + (path ? path : "/usr/bin:/bin")}},
          .timeout_s = 180};
}

PleatRun SandboxTest::RunSandbox(const std::string& verb) const { return RunPleat({"sandbox", verb}, Env()); }

}  // namespace pleat::testing
