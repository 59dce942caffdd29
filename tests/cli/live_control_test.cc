// Live control of a running `pleat start` from another terminal: `pause` holds
// the backfill before its next batch (lease heartbeat alive, no lock held),
// `tune` changes its settings for the next batch (a --jobs raised before the
// backfill began splits the table), `resume` lets it finish; `status` shows
// it all. And the --on-success / --on-failure hooks with their PLEAT_* variables.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "cli/run_pleat.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

class LiveControl : public PleatTest {
 protected:
  // Polls `done` every 50 ms until it is true or `seconds` pass; false then.
  static bool WaitFor(const std::function<bool()>& done, int seconds = 30) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }
  nlohmann::json StatusJson() { return nlohmann::json::parse(PleatOk({"status", "--json"}).out); }
  std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static constexpr const char* kAddW =
      "operations:\n  - add_column:\n      table: a\n      up: v * 2\n      column: {name: w, type: int, nullable: true}\n";
};

TEST_F(LiveControl, PauseTuneAndResumeARunningStart) {
  Query("CREATE TABLE a (id int PRIMARY KEY, v int); INSERT INTO a SELECT g, g FROM generate_series(1, 20000) g");
  std::string file = WriteFile("01_w.yaml", kAddW);
  // Holding the table keeps start at its first DDL step (retrying the lock
  // timeout) with the lease taken, so pause and tune land before the backfill.
  pg::Connection blocker = Connect(url_);
  Exec(&blocker, "BEGIN; LOCK TABLE a IN EXCLUSIVE MODE");
  PleatRun run;
  std::thread runner([&] {
    run = Pleat({"start", file, "--jobs", "1", "--backfill-batch-size", "10:1000", "--lock-timeout", "100ms"},
                {.timeout_s = 120});
  });
  ASSERT_TRUE(WaitFor([&] {
    return Query("SELECT to_regclass('pleat.lease') IS NOT NULL") == "t" && Query("SELECT count(*) FROM pleat.lease") == "1";
  }));
  std::string paused = PleatOk({"pause"}).out;
  EXPECT_NE(std::string::npos, paused.find("paused since")) << paused;
  nlohmann::json tuned = nlohmann::json::parse(PleatOk({"tune", "--jobs", "2", "--backfill-target", "50ms", "--json"}).out);
  EXPECT_EQ(2, tuned["jobs"]) << tuned.dump();
  EXPECT_EQ(50, tuned["backfill_target_ms"]) << tuned.dump();
  EXPECT_TRUE(tuned["paused"].get<bool>()) << tuned.dump();
  Exec(&blocker, "COMMIT");

  // The backfill acknowledges the pause and the tuned settings before its first batch.
  nlohmann::json st;
  ASSERT_TRUE(WaitFor([&] {
    st = StatusJson();
    return st["control"].is_object() && st["control"]["applied"].is_object() &&
           st["control"]["applied"]["paused"].get<bool>();
  })) << st.dump();
  EXPECT_EQ("start", st["running"]["command"]) << st.dump();
  EXPECT_EQ(nlohmann::json({{"paused", true}, {"backfill_target_ms", 50}, {"max_replica_lag_ms", 5000}, {"jobs", 2}}),
            st["control"]["applied"]);
  std::string text = PleatOk({"status"}).out;
  EXPECT_NE(std::string::npos, text.find("paused by `pleat pause` since")) << text;
  EXPECT_NE(std::string::npos, text.find("(the backfill waits)")) << text;
  EXPECT_NE(std::string::npos, text.find("--backfill-target 50ms --max-replica-lag 5s --jobs 2")) << text;

  // Paused: no lock on the user's tables, no open transaction, writers go through,
  // and the lease's heartbeat goes on while no row is backfilled.
  std::string beat = Query("SELECT heartbeat_at FROM pleat.lease");
  EXPECT_EQ("0", Query("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity s"
                       " ON s.pid = l.pid WHERE s.application_name = 'pleat' AND c.relnamespace = 'public'::regnamespace"));
  EXPECT_EQ("0", Query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pleat'"
                       " AND state LIKE 'idle in transaction%'"));
  Query("SET lock_timeout = '1s'; UPDATE a SET v = v WHERE id = 1");
  ASSERT_TRUE(WaitFor([&] { return Query("SELECT heartbeat_at > '" + beat + "' FROM pleat.lease") == "t"; }, 25));
  EXPECT_EQ("0", Query("SELECT count(*) FROM a WHERE w IS NOT NULL AND id <> 1"));  // row 1: the trigger wrote it

  PleatOk({"resume"});
  runner.join();
  ASSERT_EQ(0, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("backfill paused by `pleat pause` (host ")) << run.err;
  EXPECT_NE(std::string::npos, run.err.find("backfill resumed by `pleat resume`")) << run.err;
  EXPECT_NE(std::string::npos, run.err.find("from the next batch on, --backfill-target 50ms --jobs 2")) << run.err;
  // Started with --jobs 1, the table would not be split; the tuned 2 split it.
  EXPECT_EQ("2", Query("SELECT count(*) FROM pleat.backfill_parts WHERE table_name = 'a'"));
  EXPECT_EQ("0", Query("SELECT count(*) FROM a WHERE w IS DISTINCT FROM v * 2"));
  EXPECT_TRUE(StatusJson()["control"].is_null());
}

TEST_F(LiveControl, NothingRunningRefusesAndChangesNothing) {
  PleatOk({"init"});
  PleatRun r = Pleat({"pause"});
  EXPECT_EQ(3, r.exit_code) << r.Describe();
  EXPECT_NE(std::string::npos, r.err.find("no pleat command is running on schema \"public\"; nothing was changed"))
      << r.Describe();
  EXPECT_EQ("0", Query("SELECT count(*) FROM pleat.control"));
  r = Pleat({"tune"});
  EXPECT_EQ(2, r.exit_code) << r.Describe();
  r = Pleat({"tune", "--jobs", "3"});
  EXPECT_EQ(3, r.exit_code) << r.Describe();
}

// Lists the variables pleat gives a hook, sorted; the test's own PLEAT_* (CI sets
// some) stay out.
constexpr const char* kDumpHookEnv =
    "env | grep -E '^PLEAT_(COMMAND|STATUS|SCHEMA|MIGRATION|VERSION_SCHEMA|ERROR|HINT|EXIT_CODE)=' | sort > ";

TEST_F(LiveControl, HooksSeeTheMigration) {
  Query("CREATE TABLE a (id int PRIMARY KEY, v int); INSERT INTO a VALUES (1, 1)");
  std::string file = WriteFile("01_w.yaml", kAddW), out = dir_ + "/hook.env";
  std::string hook = "echo hook-ran; " + std::string(kDumpHookEnv) + out;
  PleatRun r = PleatOk({"start", file, "--on-success", hook, "--on-failure", "echo failed > " + out});
  EXPECT_EQ("public_01_w\n", r.out) << r.Describe();  // the hook's stdout goes to stderr
  EXPECT_NE(std::string::npos, r.err.find("hook-ran")) << r.Describe();
  std::string env = ReadFile(out);
  for (const char* line : {"PLEAT_COMMAND=start\n", "PLEAT_STATUS=success\n", "PLEAT_MIGRATION=01_w\n",
                           "PLEAT_VERSION_SCHEMA=public_01_w\n", "PLEAT_SCHEMA=public\n", "PLEAT_ERROR=\n",
                           "PLEAT_EXIT_CODE=0\n"})
    EXPECT_NE(std::string::npos, env.find(line)) << line << " in\n" << env;

  // A failing command runs --on-failure with the error; pleat's exit code stays.
  r = Pleat({"start", WriteFile("02_x.yaml", kAddW), "--on-failure", kDumpHookEnv + out});
  EXPECT_EQ(3, r.exit_code) << r.Describe();
  env = ReadFile(out);
  EXPECT_NE(std::string::npos, env.find("PLEAT_STATUS=failure\n")) << env;
  EXPECT_NE(std::string::npos, env.find("PLEAT_MIGRATION=02_x\n")) << env;
  EXPECT_NE(std::string::npos, env.find("PLEAT_ERROR=migration \"01_w\" is in progress")) << env;
  EXPECT_NE(std::string::npos, env.find("PLEAT_EXIT_CODE=3\n")) << env;

  PleatOk({"rollback", "--on-success", kDumpHookEnv + out});
  env = ReadFile(out);
  EXPECT_NE(std::string::npos, env.find("PLEAT_COMMAND=rollback\nPLEAT_ERROR=\nPLEAT_EXIT_CODE=0\nPLEAT_HINT=\n"
                                        "PLEAT_MIGRATION=01_w\nPLEAT_SCHEMA=public\nPLEAT_STATUS=success\n"
                                        "PLEAT_VERSION_SCHEMA=public_01_w\n")) << env;
  // A hook that fails is reported, and does not change pleat's result.
  r = Pleat({"start", file, "--on-success", "exit 7"});
  EXPECT_EQ(0, r.exit_code) << r.Describe();
  EXPECT_NE(std::string::npos, r.err.find("the --on-success hook `exit 7` failed (exit status 7)")) << r.Describe();
}

}  // namespace
}  // namespace pleat::testing
