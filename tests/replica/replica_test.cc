// pleat against a real streaming hot standby (ReplicaPair): --max-replica-lag
// holds the backfill while the standby's replay is paused and lets it finish
// once replay resumes (or once `pleat tune` raises the limit); both versions
// are readable on the standby; and a failover mid-backfill (primary stopped,
// standby promoted) converges when `start` runs again on the promoted server.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include "cli/run_pleat.h"
#include "replica/replica_pair.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

// Polls `done` every 50 ms until it is true or `seconds` pass; false then.
bool WaitFor(const std::function<bool()>& done, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string On(const std::string& url, const std::string& sql) {
  pg::Connection conn = Connect(url);
  return Value(&conn, sql);
}

std::string AddColumn(const std::string& column, const std::string& up) {
  return "operations:\n  - add_column:\n      table: t\n      up: " + up + "\n      column: {name: " + column +
         ", type: int, nullable: true}\n";
}

class Replica : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = pair_.Start("app");
    ASSERT_TRUE(s.ok()) << s.ToString();
    On(pair_.PrimaryUrl(), "CREATE TABLE t (id int PRIMARY KEY, v int);"
                           " INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g");
  }
  // Pauses the standby's replay and writes until the primary sees it lag
  // more than a second.
  void PauseReplayUntilLagging() {
    On(pair_.StandbyUrl(), "SELECT pg_wal_replay_pause()");
    ASSERT_TRUE(WaitFor([&] {
      On(pair_.PrimaryUrl(), "CREATE TABLE IF NOT EXISTS wal_pusher (x int); INSERT INTO wal_pusher VALUES (1)");
      return On(pair_.PrimaryUrl(), "SELECT replay_lag > interval '1 second' FROM pg_stat_replication") == "t";
    }));
  }
  void WaitForStandbyToCatchUp() {
    std::string lsn = On(pair_.PrimaryUrl(), "SELECT pg_current_wal_lsn()");
    ASSERT_TRUE(WaitFor([&] {
      return On(pair_.StandbyUrl(), "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn") == "t";
    }));
  }
  // The backfill row of t on the primary: why it waits, and rows done.
  std::string Throttled() {
    if (On(pair_.PrimaryUrl(), "SELECT to_regclass('pleat.backfill') IS NOT NULL") != "t") return "";
    return On(pair_.PrimaryUrl(), "SELECT throttled FROM pleat.backfill");
  }
  PleatRun Pleat(const std::string& url, std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", url});
    return RunPleat(args, {.timeout_s = 60});
  }

  ReplicaPair pair_;
};

TEST_F(Replica, LagThrottleHoldsUntilReplayResumesAndVersionsReadOnStandby) {
  MigrationFile file("01_w", AddColumn("w", "v * 2"));
  PauseReplayUntilLagging();
  PleatRun run;
  std::thread runner([&] {
    run = Pleat(pair_.PrimaryUrl(), {"start", file.path(), "--max-replica-lag", "1s", "--backfill-batch-size", "500", "--jobs", "1"});
  });
  EXPECT_TRUE(WaitFor([&] { return Throttled().find("replica \"standby1\" replays") != std::string::npos; }))
      << Throttled();
  EXPECT_EQ("0", On(pair_.PrimaryUrl(), "SELECT rows_done FROM pleat.backfill"));
  On(pair_.StandbyUrl(), "SELECT pg_wal_replay_resume()");
  runner.join();
  ASSERT_EQ(0, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("pausing the backfill of \"t\": replica \"standby1\" replays"))
      << run.err;
  EXPECT_NE(std::string::npos, run.err.find("resuming the backfill of \"t\"")) << run.err;

  // Both versions read on the standby: the old through the table, the new through its version schema.
  WaitForStandbyToCatchUp();
  pg::Connection standby = Connect(pair_.StandbyUrl());
  EXPECT_EQ("20000|20000", Rows(&standby, "SELECT (SELECT count(*) FROM t WHERE v IS NOT NULL),"
                                          " (SELECT count(*) FROM public_01_w.t WHERE w = v * 2)"));
  Exec(&standby, "SET search_path = public_01_w");
  EXPECT_EQ("20000", Value(&standby, "SELECT count(w) FROM t"));

  // `pleat tune --max-replica-lag` lets a held backfill go on while replay stays paused.
  PleatRun done = Pleat(pair_.PrimaryUrl(), {"complete"});
  ASSERT_EQ(0, done.exit_code) << done.Describe();
  MigrationFile second("02_x", AddColumn("x", "v * 3"));
  PauseReplayUntilLagging();
  std::thread second_runner([&] {
    run = Pleat(pair_.PrimaryUrl(), {"start", second.path(), "--max-replica-lag", "1s", "--backfill-batch-size", "500", "--jobs", "1"});
  });
  EXPECT_TRUE(WaitFor([&] { return Throttled().find("replica \"standby1\" replays") != std::string::npos; }))
      << Throttled();
  PleatRun tuned = Pleat(pair_.PrimaryUrl(), {"tune", "--max-replica-lag", "60m"});
  EXPECT_EQ(0, tuned.exit_code) << tuned.Describe();
  second_runner.join();
  EXPECT_EQ(0, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("from the next batch on, --max-replica-lag 3600s")) << run.err;
  EXPECT_EQ("t", On(pair_.StandbyUrl(), "SELECT pg_is_wal_replay_paused()"));
  EXPECT_EQ("0", On(pair_.PrimaryUrl(), "SELECT count(*) FROM t WHERE x IS DISTINCT FROM v * 3"));
  On(pair_.StandbyUrl(), "SELECT pg_wal_replay_resume()");
}

TEST_F(Replica, FailoverMidBackfillConvergesOnThePromotedStandby) {
  MigrationFile file("01_w", AddColumn("w", "v * 2"));
  PleatRun run;
  std::thread runner([&] {
    run = Pleat(pair_.PrimaryUrl(), {"start", file.path(), "--backfill-batch-size", "10", "--jobs", "1"});
  });
  // Mid-backfill: some batches committed, and replicated, not all.
  EXPECT_TRUE(WaitFor([&] {
    return On(pair_.StandbyUrl(), "SELECT to_regclass('pleat.backfill') IS NOT NULL") == "t" &&
           On(pair_.StandbyUrl(), "SELECT coalesce((SELECT rows_done BETWEEN 500 AND 15000 FROM pleat.backfill),"
                                  " false)") == "t";
  }));
  Status s = pair_.StopPrimary();
  ASSERT_TRUE(s.ok()) << s.ToString();
  runner.join();
  EXPECT_EQ(3, run.exit_code) << run.Describe();
  s = pair_.Promote();
  ASSERT_TRUE(s.ok()) << s.ToString();

  // The lease of the pleat that ran on the old primary is stale here: taken over at once.
  PleatRun again = Pleat(pair_.StandbyUrl(), {"start", file.path()});
  ASSERT_EQ(0, again.exit_code) << again.Describe();
  EXPECT_EQ("public_01_w", again.LastLine());
  EXPECT_NE(std::string::npos, again.err.find("from its checkpoint")) << again.err;
  PleatRun verify = Pleat(pair_.StandbyUrl(), {"verify"});
  EXPECT_EQ(0, verify.exit_code) << verify.Describe();
  EXPECT_EQ("0", On(pair_.StandbyUrl(), "SELECT count(*) FROM t WHERE w IS DISTINCT FROM v * 2"));
  PleatRun complete = Pleat(pair_.StandbyUrl(), {"complete"});
  EXPECT_EQ(0, complete.exit_code) << complete.Describe();
}

// Complete stopped by a lock on t (after its first steps, so the journal has
// some of them), then the primary goes and the standby takes over: complete
// run again there finishes.
TEST_F(Replica, FailoverMidCompleteConvergesOnThePromotedStandby) {
  MigrationFile file("01_w", AddColumn("w", "v * 2"));
  PleatRun started = Pleat(pair_.PrimaryUrl(), {"start", file.path()});
  ASSERT_EQ(0, started.exit_code) << started.Describe();
  pg::Connection blocker = Connect(pair_.PrimaryUrl());
  Exec(&blocker, "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE");
  PleatRun run = RunPleat({"--url", pair_.PrimaryUrl(), "complete", "--lock-timeout", "100ms"},
                          {.timeout_s = 60, .kill_when = [](const PleatRun& r) {
                             return r.err.find("waiting for a lock") != std::string::npos;
                           }});
  EXPECT_EQ(-1, run.exit_code) << run.Describe();  // killed while waiting, phase completing
  WaitForStandbyToCatchUp();
  EXPECT_EQ("completing", On(pair_.StandbyUrl(), "SELECT phase FROM pleat.migrations"));
  Status s = pair_.StopPrimary();
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = pair_.Promote();
  ASSERT_TRUE(s.ok()) << s.ToString();
  PleatRun again = Pleat(pair_.StandbyUrl(), {"complete"});
  ASSERT_EQ(0, again.exit_code) << again.Describe();
  EXPECT_EQ("completed", On(pair_.StandbyUrl(), "SELECT phase FROM pleat.migrations"));
  EXPECT_EQ("0", On(pair_.StandbyUrl(), "SELECT count(*) FROM public_01_w.t WHERE w IS DISTINCT FROM v * 2"));
}

}  // namespace
}  // namespace pleat::testing
