#ifndef PLEAT_TESTS_CLI_RUN_PLEAT_H_
#define PLEAT_TESTS_CLI_RUN_PLEAT_H_
// RunPleat: runs the real `pleat` binary as a child process (fork/exec) and
// captures its stdout, stderr and exit code separately, for end-to-end tests of
// the command-line contract. The child gets the test's environment minus every
// variable that picks a database (DATABASE_URL, PG*), plus the ones a case sets
// (which replace any of the same name), so no case connects anywhere by
// accident. A child still running after `timeout_s` is killed and reported
// with exit code -1. PleatTest gives each test a fresh database and a scratch
// directory for migration files.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pleat::testing {

struct PleatRun {
  int exit_code = -1;  // the process's exit status; -1 when killed or not started
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
  // The last non-empty line of stdout ("" when none).
  std::string LastLine() const;
  // For assertion messages: exit code, stdout and stderr.
  std::string Describe() const;
};

struct RunEnv {
  std::map<std::string, std::string> set;  // variables to set in the child
  int timeout_s = 60;
  // When set, asked about every 50 ms with the output so far: true kills the
  // child at once, as a timeout does (for tests that kill at a known point).
  std::function<bool(const PleatRun&)> kill_when;
};

// Path of the binary under test: $PLEAT_BIN (set by ctest), else "pleat" beside
// this test binary (/proc/self/exe + "/../pleat"), so running it by hand works.
std::string PleatBinary();

PleatRun RunPleat(const std::vector<std::string>& args, const RunEnv& env = {});
// The same for any program: argv[0] is its path (e.g. /bin/bash), not searched in PATH.
PleatRun RunProgram(const std::vector<std::string>& argv, const RunEnv& env = {});

class PleatTest : public ::testing::Test {
 protected:
  void SetUp() override;     // a new database (url_) and scratch directory (dir_)
  void TearDown() override;  // removes the scratch directory
  // Writes `text` to dir_/`name` (creating subdirectories) and returns the path.
  std::string WriteFile(const std::string& name, const std::string& text);
  // Runs pleat with `--url url_` in front of `args`.
  PleatRun Pleat(const std::vector<std::string>& args, const RunEnv& env = {});
  // The same, adding a test failure unless it exits 0.
  PleatRun PleatOk(const std::vector<std::string>& args, const RunEnv& env = {});
  // The first column of the first row of `sql` on the test database ("" when none).
  std::string Query(const std::string& sql);

  std::string url_;
  std::string dir_;
};

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_CLI_RUN_PLEAT_H_
