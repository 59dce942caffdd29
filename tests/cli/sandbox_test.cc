// End-to-end tests of `pleat sandbox start|status|stop`: the server outlives
// the command and serves pleat and psql through the lines start prints for
// eval; a second start reuses it; stop removes it; a dead one is replaced; no
// server binaries is a clear error. Each test has its own state directory and
// stops its sandbox in TearDown (SandboxTest).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "cli/sandbox_env.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

// The directory (host=) of the DATABASE_URL that start printed, or "".
std::string SandboxDir(const PleatRun& start) {
  std::smatch m;
  std::regex url(R"(export DATABASE_URL='postgresql://postgres@/postgres\?host=([^&']+)&port=(\d+)')");
  return std::regex_search(start.out, m, url) ? m[1].str() : "";
}

class Sandbox : public SandboxTest {};

TEST_F(Sandbox, StartsOutlivesTheCommandIsReusedAndStops) {
  PleatRun before = RunSandbox("status");
  EXPECT_EQ(1, before.exit_code) << before.Describe();
  EXPECT_EQ("not running", before.LastLine());

  PleatRun start = RunSandbox("start");
  ASSERT_EQ(0, start.exit_code) << start.Describe();
  std::string dir = SandboxDir(start);
  ASSERT_FALSE(dir.empty()) << start.Describe();
  EXPECT_NE(std::string::npos, start.out.find("export PGHOST='" + dir + "' PGPORT=")) << start.Describe();
  EXPECT_TRUE(fs::exists(dir + "/data/PG_VERSION"));

  // The pleat that started it has exited; eval'd lines point pleat and psql at it.
  PleatRun use = RunProgram({"/bin/bash", "-c",
                             "set -e; eval \"$(pleat sandbox start)\"; pleat init;"
                             " psql -X -At -c \"SELECT current_setting('port') || ' ' || count(*) FROM "
                             "pg_namespace WHERE nspname = 'pleat'\""},
                            Env());
  ASSERT_EQ(0, use.exit_code) << use.Describe();
  std::smatch port;
  ASSERT_TRUE(std::regex_search(start.out, port, std::regex(R"(PGPORT=(\d+))")));
  EXPECT_EQ(port[1].str() + " 1", use.LastLine()) << use.Describe();
  EXPECT_NE(std::string::npos, use.err.find("reusing the sandbox PostgreSQL in " + dir)) << use.Describe();

  PleatRun again = RunSandbox("start");
  ASSERT_EQ(0, again.exit_code) << again.Describe();
  EXPECT_EQ(start.out, again.out) << "a second start must reuse the running sandbox";

  PleatRun status = RunSandbox("status");
  EXPECT_EQ(0, status.exit_code) << status.Describe();
  EXPECT_NE(std::string::npos, status.out.find("running in " + dir + ": postgresql://")) << status.Describe();

  PleatRun stop = RunSandbox("stop");
  ASSERT_EQ(0, stop.exit_code) << stop.Describe();
  EXPECT_EQ("unset DATABASE_URL PGHOST PGPORT PGUSER PGDATABASE", stop.LastLine());
  EXPECT_FALSE(fs::exists(dir)) << dir << " was left behind";
  EXPECT_FALSE(fs::exists(StateFile()));
  EXPECT_EQ(1, RunSandbox("status").exit_code);

  PleatRun stop_again = RunSandbox("stop");
  EXPECT_EQ(0, stop_again.exit_code) << stop_again.Describe();
  EXPECT_NE(std::string::npos, stop_again.err.find("no sandbox PostgreSQL was running")) << stop_again.Describe();
}

// A sandbox whose server died (a reboot, a kill) is cleaned up and replaced by start.
TEST_F(Sandbox, ReplacesADeadServer) {
  PleatRun start = RunSandbox("start");
  ASSERT_EQ(0, start.exit_code) << start.Describe();
  std::string dir = SandboxDir(start);
  ASSERT_FALSE(dir.empty()) << start.Describe();
  pid_t postmaster = 0;
  std::ifstream(dir + "/data/postmaster.pid") >> postmaster;
  ASSERT_GT(postmaster, 0);
  ASSERT_EQ(0, kill(postmaster, SIGKILL));
  for (int i = 0; i < 100 && kill(postmaster, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_NE(0, kill(postmaster, 0)) << "the killed server is still running";

  PleatRun status = RunSandbox("status");
  EXPECT_EQ(1, status.exit_code) << status.Describe();
  EXPECT_NE(std::string::npos, status.err.find("no longer answered; removed its leftovers")) << status.Describe();
  EXPECT_FALSE(fs::exists(dir)) << dir << " was left behind";

  PleatRun fresh = RunSandbox("start");
  ASSERT_EQ(0, fresh.exit_code) << fresh.Describe();
  EXPECT_NE(dir, SandboxDir(fresh));
  EXPECT_EQ(0, RunSandbox("status").exit_code);
}

// Start on a dead state file directly (without status first) replaces it too.
TEST_F(Sandbox, StartCleansUpAStaleStateFile) {
  fs::create_directories(run_dir_ + "/pleat-sandbox");
  std::ofstream(StateFile()) << "dir=/tmp/pleat-pg.gone\nbin=/usr/lib/postgresql/15/bin\nport=1\n"
                                "url=postgresql://postgres@/postgres?host=/tmp/pleat-pg.gone&port=1\n";
  PleatRun start = RunSandbox("start");
  ASSERT_EQ(0, start.exit_code) << start.Describe();
  EXPECT_NE(std::string::npos, start.err.find("(in /tmp/pleat-pg.gone) no longer answered")) << start.Describe();
  EXPECT_NE("/tmp/pleat-pg.gone", SandboxDir(start));
  EXPECT_NE(std::string::npos, start.err.find("started a sandbox PostgreSQL")) << start.Describe();
}

TEST_F(Sandbox, SaysWhatToInstallWithoutServerBinaries) {
  RunEnv env = Env();
  env.set["PGTMP_BIN"] = run_dir_ + "/no-such-bin";
  PleatRun start = RunPleat({"sandbox", "start"}, env);
  EXPECT_EQ(3, start.exit_code) << start.Describe();
  EXPECT_EQ("", start.out) << "nothing to eval on failure";
  EXPECT_NE(std::string::npos, start.err.find("no initdb in " + run_dir_ + "/no-such-bin (PGTMP_BIN)"))
      << start.Describe();
  EXPECT_FALSE(fs::exists(StateFile()));
}

}  // namespace
}  // namespace pleat::testing
