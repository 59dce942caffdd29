// kill -9 at any point, then run the same command again: it must finish what
// was interrupted. Runs the real binary (PLEAT_BIN, set by ctest) as a child
// process on a table of 200k rows: start is killed at fixed delays and once
// for sure mid-backfill (the re-run must resume from the checkpoint and end
// with the data of an uninterrupted run); rollback and complete are killed
// while they wait for a lock another session holds, and re-run.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "support/big_table.h"
#include "support/test_db.h"

extern char** environ;

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr int kRows = 200000;

std::string PleatBin() {
  if (const char* env = std::getenv("PLEAT_BIN"); env && *env) return env;
  fs::path dir = fs::read_symlink("/proc/self/exe").parent_path();
  return fs::exists(dir / "pleat") ? (dir / "pleat").string() : (dir / ".." / "pleat").string();
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One run of the pleat binary; stdout and stderr go to files in `dir`.
// The destructor kills a child that is still running.
class Child {
 public:
  Child(const std::vector<std::string>& args, const fs::path& dir) : out_(dir / "out"), err_(dir / "err") {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_NE(0, pid_) << "cannot run " << args[0];
  }
  ~Child() { Kill(); }

  // The exit code, or -1 when the child was killed or did not exit within `timeout`.
  int Wait(milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    return -1;
  }
  void Kill() {
    if (!pid_) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  bool running() const { return pid_ != 0; }
  std::string err() const { return ReadFile(err_); }
  std::string out() const { return ReadFile(out_); }

 private:
  fs::path out_, err_;
  pid_t pid_ = 0;
};

// Polls `done` every 5 ms for up to `timeout`; false when it never held.
bool WaitFor(const std::function<bool()>& done, milliseconds timeout) {
  for (auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return done();
}

class LifecycleKill : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pleat-kill-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    url_ = NewOwnedDatabase();
    conn_ = Connect(url_);
    std::ofstream(dir_ / "01_big.yaml") << kCreateBig;
    std::ofstream(dir_ / "02_shout.yaml") << kAddShout;
    Options options;
    options.conninfo = url_;
    std::string vs;
    Status s = engine::Lifecycle(options).Start((dir_ / "01_big.yaml").string(), /*complete=*/true, &vs);
    ASSERT_TRUE(s.ok()) << s.ToString();
    Exec(&conn_, "INSERT INTO big SELECT g, 'name ' || g FROM generate_series(1, " + std::to_string(kRows) +
                     ") g; ANALYZE big");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Args(const std::string& command) const {
    // Fixed batches, so the checkpoint after a kill is a whole number of them.
    std::vector<std::string> args = {PleatBin(), "--url", url_, "--lock-timeout", "100ms", "--backfill-batch-size",
                                     "1000", command};
    if (command == "start") args.push_back((dir_ / "02_shout.yaml").string());
    return args;
  }
  // A killed client's backend lives on until its statement ends; until then it
  // holds the lease and a re-run would be refused as busy.
  void WaitForNoPleatSession() {
    EXPECT_TRUE(WaitFor([this] { return Value(&conn_, "SELECT count(*) FROM pg_stat_activity WHERE "
                                                      "application_name = 'pleat'") == "0"; },
                        milliseconds(10000)));
  }
  std::string Phase() { return Value(&conn_, "SELECT phase FROM pleat.migrations WHERE name = '02_shout'"); }
  long long RowsDone() {
    std::string v = Value(&conn_, "SELECT rows_done FROM pleat.backfill WHERE migration = '02_shout'");
    return v.empty() ? 0 : std::stoll(v);
  }
  // Every row's key and new column, hashed: equal for equal data.
  std::string DataHash() {
    return Value(&conn_, "SELECT md5(string_agg(id || ':' || coalesce(shout, '-'), ',' ORDER BY id)) FROM big");
  }
  std::string WrongRows() { return Value(&conn_, "SELECT count(*) FROM big WHERE shout IS DISTINCT FROM upper(name)"); }
  // Runs `command` with a lock on big held elsewhere, kills it while it waits, checks `phase`, then re-runs it.
  void KillWhileWaitingForALock(const std::string& command, const std::string& phase);

  fs::path dir_;
  std::string url_;
  pg::Connection conn_;
};

void LifecycleKill::KillWhileWaitingForALock(const std::string& command, const std::string& phase) {
  SCOPED_TRACE("kill -9 during " + command);
  pg::Connection locker = Connect(url_);
  Exec(&locker, "BEGIN; LOCK TABLE big IN ACCESS SHARE MODE");
  {
    Child child(Args(command), dir_);
    EXPECT_TRUE(WaitFor([&] { return child.err().find("waiting for a lock") != std::string::npos; }, milliseconds(20000)))
        << child.err();
    child.Kill();
  }
  EXPECT_EQ(phase, Phase());
  Exec(&locker, "COMMIT");
  WaitForNoPleatSession();
  Child rerun(Args(command), dir_);
  EXPECT_EQ(0, rerun.Wait(milliseconds(30000))) << rerun.err();
}

// The rows done that a resumed start reports resuming from, summed over the
// parts of a table split for parallel workers (one line per part).
long long CheckpointRowsResumed(const std::string& log) {
  const std::string marker = "from its checkpoint (";
  long long sum = 0;
  for (size_t at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
    sum += std::stoll(log.substr(at + marker.size()));
  return sum;
}

TEST_F(LifecycleKill, EveryCommandFinishesWhenRunAgain) {
  std::string before = DumpSchema(url_, "public");
  for (int delay : {50, 150, 400}) {
    SCOPED_TRACE("kill -9 of start after " + std::to_string(delay) + " ms");
    Child child(Args("start"), dir_);
    std::this_thread::sleep_for(milliseconds(delay));
    child.Kill();
    WaitForNoPleatSession();
  }
  // Once more, for sure in the middle of the backfill.
  long long done_before = RowsDone();
  {
    Child child(Args("start"), dir_);
    EXPECT_TRUE(WaitFor([&] { return RowsDone() > done_before; }, milliseconds(30000))) << child.err();
    child.Kill();
  }
  WaitForNoPleatSession();
  long long checkpoint = RowsDone();
  ASSERT_GT(checkpoint, 0);
  ASSERT_LT(checkpoint, kRows) << "the backfill finished before the kill; the test proves nothing";
  EXPECT_EQ(0, checkpoint % 1000) << "batches of --backfill-batch-size 1000 rows over keys 1.." << kRows;
  EXPECT_EQ("starting", Phase());
  Child resumed(Args("start"), dir_);
  ASSERT_EQ(0, resumed.Wait(milliseconds(60000))) << resumed.err();
  EXPECT_EQ(checkpoint, CheckpointRowsResumed(resumed.err())) << resumed.err();
  EXPECT_EQ(kRows, RowsDone()) << "a committed batch was done twice, or one was lost";
  EXPECT_EQ("0", WrongRows());
  std::string interrupted = DataHash();

  KillWhileWaitingForALock("rollback", "rolling_back");
  EXPECT_EQ(before, DumpSchema(url_, "public")) << "rollback after kill -9";
  EXPECT_EQ("", Phase());

  Child uninterrupted(Args("start"), dir_);
  ASSERT_EQ(0, uninterrupted.Wait(milliseconds(60000))) << uninterrupted.err();
  EXPECT_EQ(std::string::npos, uninterrupted.err().find("from its checkpoint")) << "rollback left a checkpoint";
  EXPECT_EQ(interrupted, DataHash()) << "the interrupted start must leave the data of an uninterrupted one";
  std::string vs = uninterrupted.out().substr(0, uninterrupted.out().find('\n'));

  KillWhileWaitingForALock("complete", "completing");
  EXPECT_EQ("completed", Phase());
  EXPECT_EQ("", PleatLeftovers(&conn_, "public"));
  EXPECT_EQ("0", WrongRows());
  EXPECT_EQ(std::to_string(kRows), Value(&conn_, "SELECT count(shout) FROM " + pg::QuoteIdent(vs) + ".big"));
}

}  // namespace
}  // namespace pleat::testing
