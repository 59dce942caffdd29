// `pleat tune --jobs` raised while a backfill runs: tables no worker took yet get
// new workers at the next batch; started with --jobs 1 they would all run on
// the one worker. Driven through the engine, tuning from the first batch.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "engine/control.h"
#include "engine/lifecycle.h"
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
  engine::Options options = OptionsFor(url, &log);
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
    tune = engine::ChangeControl(OptionsFor(url), {.jobs = 3}, &row);
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

}  // namespace
}  // namespace pleat::testing
