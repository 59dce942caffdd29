// PostgreSQL restarts in the middle of a backfill: the running start fails
// with the lost connection, and running start again resumes from the last
// committed batch (not from the beginning) and ends with every row filled.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/big_table.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

constexpr int kRows = 500000;

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
  auto interrupted = std::async(std::launch::async, [&] {
    std::string ignored;
    return engine::Lifecycle(OptionsFor(url)).Start(shout.path(), false, &ignored);
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (RowsDone(url) < 20000 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  // Batches commit asynchronously (synchronous_commit off, with their
  // checkpoints): give the WAL writer (wal_writer_delay 200 ms) time to flush
  // some, or the immediate shutdown loses every batch and there is nothing to resume.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_TRUE(ServerHandle::Restart());
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
