// How the backfill engine runs its batches against a real server: sizes that
// follow the time target, smaller retries after a lock timeout, replica-lag
// throttling, several tables at once, and resuming after a lost connection.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

using std::chrono::milliseconds;

const char* kAddW = R"(
operations:
  - add_column:
      table: t
      up: v * 2
      column: {name: w, type: int, nullable: true}
)";

// Tables a and b, each with an added column filled from v.
const char* kAddToBoth = R"(
operations:
  - add_column:
      table: a
      up: v * 2
      column: {name: w, type: int, nullable: true}
  - add_column:
      table: b
      up: v * 3
      column: {name: w, type: int, nullable: true}
)";

Status Start(const Options& options, const std::string& name, const char* yaml) {
  MigrationFile file(name, yaml);
  std::string vs;
  return engine::Lifecycle(options).Start(file.path(), false, &vs);
}

void MakeTable(pg::Connection* conn, const std::string& name, int rows) {
  Exec(conn, "CREATE TABLE " + name + " (id int PRIMARY KEY, v int); INSERT INTO " + name +
                 " SELECT g, g FROM generate_series(1, " + std::to_string(rows) + ") g");
}

bool WaitFor(const std::function<bool()>& done, milliseconds timeout) {
  for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

// Fast batches grow toward the time target; slow ones (target 1 ms) shrink to
// the lower bound. The state table counts the batches and keeps the last size.
TEST(Batching, SizeFollowsTheTimeTarget) {
  struct Case {
    const char* name;
    int target_ms, min_rows, max_rows;
    const char* expect;  // SQL over pleat.backfill that must be true
  };
  const Case cases[] = {
      {"grows", 200, 100, 100000, "batches < 20 AND batch_rows > 1000"},  // fixed 1000-row batches: 41
      // on average below 1000 rows; the last size alone may be above, when a batch
      // ran in under a millisecond (too fast to time: it grows)
      {"shrinks", 1, 50, 100000, "batches > 41"},
      {"fixed", 200, 2000, 2000, "batches = 21 AND batch_rows = 2000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string url = NewDatabase();
    pg::Connection conn = Connect(url);
    MakeTable(&conn, "t", 40000);
    Options o = OptionsFor(url);
    o.backfill.target_ms = c.target_ms;
    o.backfill.min_rows = c.min_rows;
    o.backfill.max_rows = c.max_rows;
    Status s = Start(o, std::string("01_") + c.name, kAddW);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM t WHERE w IS DISTINCT FROM v * 2"));
    EXPECT_EQ("t|40000|t", Rows(&conn, std::string("SELECT ") + c.expect +
                                          ", rows_done, done FROM pleat.backfill WHERE table_name = 't'"))
        << Rows(&conn, "SELECT batches, batch_rows FROM pleat.backfill");
  }
}

// Another session holds row 3000. Batches that reach it wait lock_timeout,
// roll back and are retried smaller, so the rows before it are done while the
// lock is held; once it is released the backfill finishes.
TEST(Batching, LockTimeoutRetriesSmaller) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "t", 10000);
  pg::Connection locker = Connect(url);
  std::vector<std::string> log;
  Options o = OptionsFor(url, &log);
  o.lock_timeout_ms = 100;
  std::string done_while_locked;
  std::thread releaser;
  auto plain_log = o.log;
  o.log = [&](const std::string& line) {
    plain_log(line);
    if (line != "backfill the new columns of existing rows") return;
    Exec(&locker, "BEGIN; SELECT * FROM t WHERE id = 3000 FOR UPDATE");
    releaser = std::thread([&] {
      // Released once the smaller retries have done rows up to the locked one.
      pg::Connection watcher = Connect(url);
      std::string done = "SELECT rows_done FROM pleat.backfill WHERE table_name = 't'";
      WaitFor([&] { return std::atoll(Value(&watcher, done).c_str()) >= 2000; }, milliseconds(60000));
      done_while_locked = Value(&watcher, done);
      Exec(&locker, "COMMIT");
    });
  };
  Status s = Start(o, "01_locked", kAddW);
  if (releaser.joinable()) releaser.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  // How many rows the retry takes depends on the size the first batches reached
  // (their speed); that it retries smaller is what matters, and the rows done
  // while the lock was held show it.
  EXPECT_TRUE(Logged(log, "waited the lock timeout (100 ms); retrying with "));
  ASSERT_FALSE(done_while_locked.empty());
  EXPECT_GE(std::stoll(done_while_locked), 2000) << "smaller batches should reach the locked row";
  EXPECT_LT(std::stoll(done_while_locked), 3000);
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM t WHERE w IS DISTINCT FROM v * 2"));
  EXPECT_EQ("10000", Value(&conn, "SELECT rows_done FROM pleat.backfill WHERE table_name = 't'"));
}

// A table stands in for pg_stat_replication (same columns); the backfill must
// not write a row while a streaming replica lags more than the limit, must say
// why in the state table (and so in status), and must go on once it catches up.
TEST(Batching, PausesWhileAReplicaLags) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "t", 5000);
  Exec(&conn, "CREATE TABLE fake_replication (application_name text, state text, replay_lag interval);"
              "INSERT INTO fake_replication VALUES ('caught_up', 'streaming', '1 s'), ('r1', 'streaming', '7 s'),"
              " ('r2', 'catchup', '1 h')");
  std::vector<std::string> log;
  Options o = OptionsFor(url, &log);
  o.backfill.lag_schema = "public";
  o.backfill.lag_view = "fake_replication";
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok());  // the state tables the test polls
  Status s;
  std::thread pleat([&] { s = Start(o, "01_throttled", kAddW); });
  std::string throttled = "SELECT throttled FROM pleat.backfill WHERE table_name = 't'";
  bool paused = WaitFor([&] { return !Value(&conn, throttled).empty(); }, milliseconds(60000));
  EXPECT_TRUE(paused);
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ("0", Value(&conn, "SELECT rows_done FROM pleat.backfill WHERE table_name = 't'"));
  nlohmann::json st;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).GetStatus(&st).ok());
  const auto& b = st["active"]["backfill"][0];
  EXPECT_EQ("replica \"r1\" replays 7.0 s behind (--max-replica-lag 5 s)", b["throttled"]) << st.dump();
  EXPECT_FALSE(b["throttled_since"].is_null());
  Exec(&conn, "UPDATE fake_replication SET replay_lag = '2 s' WHERE application_name = 'r1'");
  pleat.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Logged(log, "pausing the backfill of \"t\": replica \"r1\""));
  EXPECT_TRUE(Logged(log, "resuming the backfill of \"t\""));
  EXPECT_EQ("5000|NULL|t", Rows(&conn, "SELECT rows_done, throttled, done FROM pleat.backfill WHERE table_name = 't'"));
}

// Two tables with jobs = 2 run at the same time, each on its own connection.
// Their connections are cut mid-way; start fails, and a second start resumes
// both from their checkpoints (key walks: no batch is done twice).
TEST(Batching, ParallelTablesResumeAfterALostConnection) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "a", 30000);
  MakeTable(&conn, "b", 30000);
  Options o = OptionsFor(url);
  o.backfill.min_rows = o.backfill.max_rows = 20;  // slow enough to cut in the middle
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok());  // the state tables the test polls
  Status s;
  std::thread pleat([&] { s = Start(o, "01_both", kAddToBoth); });
  std::string both_running = "SELECT count(*) = 2 AND bool_and(rows_done > 0) FROM pleat.backfill";
  bool running = WaitFor([&] { return Value(&conn, both_running) == "t"; }, milliseconds(60000));
  EXPECT_TRUE(running);
  EXPECT_EQ("t", Value(&conn, "SELECT count(*) >= 2 FROM pg_stat_activity WHERE application_name = 'pleat'"));
  Exec(&conn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pleat'");
  pleat.join();
  ASSERT_FALSE(s.ok()) << "the backfill should have lost its connections";
  std::string interrupted = Rows(&conn, "SELECT table_name, rows_done > 0, done FROM pleat.backfill ORDER BY 1");
  EXPECT_EQ("a|t|f\nb|t|f", interrupted);
  std::vector<std::string> log;
  Options again = OptionsFor(url, &log);
  s = Start(again, "01_both", kAddToBoth);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Logged(log, "backfilling \"a\" from its checkpoint"));
  EXPECT_TRUE(Logged(log, "backfilling \"b\" from its checkpoint"));
  EXPECT_EQ("a|30000|t\nb|30000|t", Rows(&conn, "SELECT table_name, rows_done, done FROM pleat.backfill ORDER BY 1"));
  EXPECT_EQ("0|0", Rows(&conn, "SELECT (SELECT count(*) FROM a WHERE w IS DISTINCT FROM v * 2),"
                               " (SELECT count(*) FROM b WHERE w IS DISTINCT FROM v * 3)"));
}

}  // namespace
}  // namespace pleat::testing
