// PostgreSQL restarts in the middle of a backfill: the running start fails
// with the lost connection, and running start again resumes from the last
// committed batch (not from the beginning) and ends with every row filled.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

#include "engine/lifecycle.h"
#include "support/big_table.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

constexpr int kRows = 20000;
constexpr int kBatchRows = 500;
constexpr int kRestartBeforeBatch = 10;  // counted over the backfill's workers

long long RowsDone(const std::string& url) {
  pg::Connection conn = Connect(url);
  std::string v = Value(&conn, "SELECT rows_done FROM pleat.backfill WHERE migration = '02_shout'");
  return v.empty() ? 0 : std::stoll(v);
}

TEST(ServerRestart, BackfillResumesFromItsCheckpoint) {
  std::string url = NewDatabase();
  MigrationFile create("01_big", kCreateBig), shout("02_shout", kAddShout);
  std::string vs;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Start(create.path(), true, &vs).ok());
  {
    pg::Connection conn = Connect(url);
    Exec(&conn, "INSERT INTO big SELECT g, 'name ' || g FROM generate_series(1, " + std::to_string(kRows) +
                    ") g; ANALYZE big");
  }
  // The backfill stops before one of its batches until the server has restarted:
  // the restart falls in the middle of it, at a known point, not after a guess.
  std::promise<void> reached, restarted;
  std::shared_future<void> restart_done = restarted.get_future().share();
  std::atomic<int> batches{0};
  auto interrupted = std::async(std::launch::async, [&] {
    Options options = OptionsFor(url);
    options.backfill.min_rows = options.backfill.max_rows = kBatchRows;
    options.before_step = [&](const std::string& phase, const std::string&) {
      if (phase != "backfill") return;
      int n = ++batches;
      if (n == kRestartBeforeBatch) reached.set_value();
      if (n >= kRestartBeforeBatch) restart_done.wait();
    };
    std::string ignored;
    return engine::Lifecycle(options).Start(shout.path(), false, &ignored);
  });
  ASSERT_EQ(std::future_status::ready, reached.get_future().wait_for(std::chrono::seconds(120)))
      << "the backfill never reached batch " << kRestartBeforeBatch;
  {
    // Batches commit asynchronously (synchronous_commit off): a checkpoint
    // writes their WAL, or the immediate shutdown would lose every one of them.
    pg::Connection conn = Connect(url);
    Exec(&conn, "CHECKPOINT");
  }
  bool restarted_ok = ServerHandle::Restart();
  restarted.set_value();
  ASSERT_TRUE(restarted_ok);
  Status lost = interrupted.get();
  ASSERT_FALSE(lost.ok()) << "the backfill finished before the restart; the test proves nothing";

  long long checkpoint = RowsDone(url);
  ASSERT_GT(checkpoint, 0);
  ASSERT_LT(checkpoint, kRows);
  std::vector<std::string> log;
  Status resumed = engine::Lifecycle(OptionsFor(url, &log)).Start(shout.path(), false, &vs);
  ASSERT_TRUE(resumed.ok()) << resumed.ToString();
  bool from_checkpoint = false;
  for (const auto& line : log) from_checkpoint |= line.find("from its checkpoint") != std::string::npos;
  EXPECT_TRUE(from_checkpoint) << "the resumed start began the backfill again";
  pg::Connection conn = Connect(url);
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM big WHERE shout IS DISTINCT FROM upper(name)"));
  EXPECT_EQ(std::to_string(kRows), Value(&conn, "SELECT rows_done FROM pleat.backfill WHERE migration = '02_shout'"))
      << "a committed batch was done twice, or one was lost";
}

}  // namespace
}  // namespace pleat::testing
