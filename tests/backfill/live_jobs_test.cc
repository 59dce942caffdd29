// `pleat tune --jobs` while a backfill runs. Raised: tables no worker took yet
// get new workers at the next batch; started with --jobs 1 they would all run
// on the one worker. Lowered: the extra workers stop after the table they are
// on, and the tables left go to the one that stays. Driven through the engine,
// tuning from the first batch.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/lifecycle.h"
#include "state/control.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

TEST(LiveJobs, RaisedJobsStartWorkersForTablesNotTakenYet) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  std::string yaml = "operations:\n";
  for (const char* t : {"t1", "t2", "t3"}) {
    Exec(&conn, std::string("CREATE TABLE ") + t + " (id int PRIMARY KEY, v int); INSERT INTO " + t +
                    " SELECT g, g FROM generate_series(1, 300) g");
    yaml += std::string("  - add_column:\n      table: ") + t +
            "\n      up: v * 2\n      column: {name: w, type: int, nullable: true}\n";
  }
  MigrationFile file("01_w", yaml);
  std::vector<std::string> log;
  Options options = OptionsFor(url, &log);
  options.backfill.jobs = 1;
  options.backfill.min_rows = options.backfill.max_rows = 20;  // 15 batches a table
  std::mutex mu;
  std::set<std::thread::id> workers;
  bool tuned = false;
  Status tune;
  options.before_step = [&](const std::string& phase, const std::string& id) {
    if (phase != "backfill") return;
    std::lock_guard<std::mutex> lock(mu);
    workers.insert(std::this_thread::get_id());
    if (tuned) return;
    tuned = true;
    nlohmann::json row;
    tune = state::ChangeControl(OptionsFor(url), {.jobs = 3}, &row);
  };
  std::string vs;
  Status s = engine::Lifecycle(options).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(tune.ok()) << tune.ToString();
  EXPECT_EQ(3u, workers.size());
  EXPECT_TRUE(Logged(log, "from the next batch on, --jobs 3"));
  for (const char* t : {"t1", "t2", "t3"})
    EXPECT_EQ("0", Value(&conn, std::string("SELECT count(*) FROM ") + t + " WHERE w IS DISTINCT FROM v * 2")) << t;
}

TEST(LiveJobs, LoweredJobsStopExtraWorkersAfterTheirTable) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  const std::vector<std::string> tables = {"t1", "t2", "t3", "t4", "t5", "t6"};
  std::string yaml = "operations:\n";
  for (const auto& t : tables) {
    // 150 rows: under 10 batches of 20, so no table is split into key ranges.
    Exec(&conn, "CREATE TABLE " + t + " (id int PRIMARY KEY, v int); INSERT INTO " + t +
                    " SELECT g, g FROM generate_series(1, 150) g");
    yaml += "  - add_column:\n      table: " + t + "\n      up: v * 2\n      column: {name: w, type: int, nullable: true}\n";
  }
  MigrationFile file("01_w", yaml);
  std::vector<std::string> log;
  Options options = OptionsFor(url, &log);
  options.backfill.jobs = 3;
  options.backfill.min_rows = options.backfill.max_rows = 20;  // 8 batches a table
  std::mutex mu;
  std::vector<std::string> started;                      // tables in the order of their first batch
  std::map<std::string, std::set<std::thread::id>> ran;  // the threads that ran each table's batches
  std::set<std::thread::id> seen;
  bool tuned = false;
  Status tune;
  std::condition_variable all_on_a_table;
  options.before_step = [&](const std::string& phase, const std::string& id) {
    if (phase != "backfill") return;
    std::unique_lock<std::mutex> lock(mu);
    std::string table = id.substr(0, id.find(' '));
    if (!ran.count(table)) started.push_back(table);
    ran[table].insert(std::this_thread::get_id());
    seen.insert(std::this_thread::get_id());
    // Each worker's first batch waits until all three are on a table; the last
    // to arrive lowers --jobs, which every worker reads before its next batch.
    if (seen.size() < 3) {
      all_on_a_table.wait_for(lock, std::chrono::seconds(60), [&] { return seen.size() >= 3; });
      return;
    }
    all_on_a_table.notify_all();
    if (tuned) return;
    tuned = true;
    nlohmann::json row;
    tune = state::ChangeControl(OptionsFor(url), {.jobs = 1}, &row);
  };
  std::string vs;
  Status s = engine::Lifecycle(options).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(tune.ok()) << tune.ToString();
  EXPECT_TRUE(Logged(log, "from the next batch on, --jobs 1"));
  ASSERT_EQ(tables.size(), started.size());
  // The three taken at once ran on three threads; every table taken after the
  // lowering ran on one and the same thread.
  std::set<std::thread::id> first, later;
  for (size_t i = 0; i < started.size(); ++i)
    for (const auto& t : ran[started[i]]) (i < 3 ? first : later).insert(t);
  EXPECT_EQ(3u, first.size());
  EXPECT_EQ(1u, later.size());
  for (const auto& t : tables)
    EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM " + t + " WHERE w IS DISTINCT FROM v * 2")) << t;
}

}  // namespace
}  // namespace pleat::testing
