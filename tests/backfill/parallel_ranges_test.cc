// One large table split into parts that parallel workers backfill, each on its
// own connection with its own checkpoint: key ranges (one- and multi-column
// keys), block ranges for a table without a key, resuming every part after a
// kill, and what `status` reports. A BEFORE UPDATE trigger counts the updates
// of every row (`hits`) and records the backend that made them, so the tests
// see that every row was backfilled exactly once, and by which connection.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "backfill/table_split.h"
#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

constexpr int kRows = 20000;
constexpr int kBatch = 200;  // fixed batches; tables of 10 x 200 rows or more are split

const char* kAddW = R"(
operations:
  - add_column:
      table: t
      up: v * 2
      column: {name: w, type: int, nullable: true}
)";

// Creates t(<key columns>, v, hits, pid) with kRows rows and the counting trigger's function.
void MakeTable(pg::Connection* conn, const std::string& columns, const std::string& select) {
  Exec(conn, "CREATE TABLE t (" + columns + ", v int, hits int NOT NULL DEFAULT 0, pid int);"
             " INSERT INTO t SELECT " + select + " FROM generate_series(1, " + std::to_string(kRows) + ") g;"
             " CREATE FUNCTION count_hits() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
             " NEW.hits := OLD.hits + 1; NEW.pid := pg_backend_pid(); RETURN NEW; END $$;");
}

// Creates the counting trigger (when MakeTable made its function) just before
// the backfill step, on UPDATE OF w (the
// column the backfill writes, added by start): the backfill does not fire the
// user's plain UPDATE triggers (planner/user_objects.h), but fires this one.
Options SplitOptions(const std::string& url, int jobs, std::vector<std::string>* log = nullptr) {
  Options o = OptionsFor(url, log);
  o.before_step = [url](const std::string& phase, const std::string& step) {
    if (phase != "start" || step != "backfill") return;
    pg::Connection conn = Connect(url);
    Exec(&conn, "DO $$ BEGIN IF to_regproc('count_hits') IS NOT NULL THEN CREATE OR REPLACE TRIGGER count_hits "
                "BEFORE UPDATE OF w ON t FOR EACH ROW EXECUTE FUNCTION count_hits(); END IF; END $$");
  };
  o.backfill.min_rows = o.backfill.max_rows = kBatch;
  o.backfill.jobs = jobs;
  return o;
}

Status Start(const Options& options) {
  MigrationFile file("01_add_w", kAddW);
  std::string vs;
  return engine::Lifecycle(options).Start(file.path(), false, &vs);
}

// Every row backfilled exactly once, with the right value, and the state
// table's row of t done with every row counted, in `parts` parts (0: not split).
void ExpectEveryRowOnce(pg::Connection* conn, int parts) {
  std::string rows = std::to_string(kRows);
  EXPECT_EQ(rows + "|0|0", Rows(conn, "SELECT count(*), count(*) FILTER (WHERE w IS DISTINCT FROM v * 2),"
                                      " count(*) FILTER (WHERE hits <> 1) FROM t"));
  EXPECT_EQ(rows + "|t|" + std::to_string(parts) + "|" + (parts ? rows : "0"),
            Rows(conn, "SELECT rows_done, done, (SELECT count(*) FROM pleat.backfill_parts),"
                       " (SELECT coalesce(sum(rows_done), 0) FROM pleat.backfill_parts) FROM pleat.backfill"));
}

TEST(ParallelRanges, PartsFollowJobsTablesAndSize) {
  struct Case {
    long long rows;
    int jobs, tables_left, max_batch, parts;
  };
  const Case cases[] = {
      {1000000, 4, 1, 100000, 4}, {1000000, 4, 3, 100000, 4}, {1000000, 2, 2, 100000, 1},
      {999999, 4, 1, 100000, 1},  {2000, 3, 1, 200, 3},        {1000000, 1, 1, 100000, 1},
  };
  for (const auto& c : cases)
    EXPECT_EQ(c.parts, backfill::PartsFor(c.rows, c.jobs, c.tables_left, c.max_batch))
        << c.rows << " rows, jobs " << c.jobs << ", tables left " << c.tables_left << ", max batch " << c.max_batch;
}

// With 2 and 3 jobs, one table is split into as many key ranges; they meet
// without overlap (each part backfilled exactly the rows of its range), hold
// about equal shares, and each was backfilled by a connection of its own.
TEST(ParallelRanges, OneTableSplitsIntoKeyRanges) {
  for (int jobs : {2, 3}) {
    SCOPED_TRACE("jobs " + std::to_string(jobs));
    std::string url = NewOwnedDatabase();
    pg::Connection conn = Connect(url);
    MakeTable(&conn, "id int PRIMARY KEY", "g, g, 0, NULL");
    std::vector<std::string> log;
    Status s = Start(SplitOptions(url, jobs, &log));
    ASSERT_TRUE(s.ok()) << s.ToString();
    ExpectEveryRowOnce(&conn, jobs);
    EXPECT_TRUE(Logged(log, "splitting \"t\" (about 20000 rows) into " + std::to_string(jobs) + " parts"));
    EXPECT_EQ(std::to_string(jobs), Value(&conn, "SELECT count(*) FROM pleat.backfill_parts WHERE done"));
    // Each part's rows are exactly those of its range (lower bound exclusive, upper inclusive).
    EXPECT_EQ("", Rows(&conn, "SELECT part, rows_done FROM pleat.backfill_parts p, LATERAL (SELECT count(*) FROM t"
                              " WHERE id > coalesce((p.start_key->'key'->>0)::int, 0)"
                              " AND id <= coalesce((p.start_key->'upto'->>0)::int, 2147483647)) c"
                              " WHERE c.count <> p.rows_done"));
    EXPECT_EQ("1", Value(&conn, "SELECT count(*) FROM pleat.backfill_parts WHERE start_key->'key' IS NULL"));
    EXPECT_EQ("1", Value(&conn, "SELECT count(*) FROM pleat.backfill_parts WHERE start_key->'upto' IS NULL"));
    // The sample holds every row of so small a table: the quantiles are exact.
    EXPECT_EQ("t", Value(&conn, "SELECT bool_and(abs(rows_done - " + std::to_string(kRows / jobs) +
                                    ") <= 1) FROM pleat.backfill_parts"));
    EXPECT_EQ(std::to_string(jobs), Value(&conn, "SELECT count(DISTINCT pid) FROM t"));
  }
}

TEST(ParallelRanges, MultiColumnKeySplits) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  // The leading column has 7 values only: the ranges must split inside them.
  MakeTable(&conn, "a int, b text, PRIMARY KEY (a, b)", "g % 7, 'k' || g, g, 0, NULL");
  Status s = Start(SplitOptions(url, 3));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectEveryRowOnce(&conn, 3);
  EXPECT_EQ("2", Value(&conn, "SELECT jsonb_array_length(start_key->'upto') FROM pleat.backfill_parts WHERE part = 1"));
  EXPECT_EQ("3", Value(&conn, "SELECT count(DISTINCT pid) FROM t"));
}

// A table without a key is walked by ctid: its parts are adjacent block ranges
// that cover the table as it was.
TEST(ParallelRanges, TableWithoutKeySplitsByBlocks) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "id int", "g, g, 0, NULL");
  std::string blocks = Value(&conn, "SELECT pg_relation_size('t') / current_setting('block_size')::int");
  Status s = Start(SplitOptions(url, 2));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(std::to_string(kRows) + "|0|0",
            Rows(&conn, "SELECT count(*), count(*) FILTER (WHERE w IS DISTINCT FROM v * 2),"
                        " count(*) FILTER (WHERE hits = 0) FROM t"));
  EXPECT_EQ("1|0|" + std::to_string(std::stoll(blocks) / 2) + "\n2|" + std::to_string(std::stoll(blocks) / 2) + "|" +
                blocks,
            Rows(&conn, "SELECT part, start_key->>'block', start_key->>'end' FROM pleat.backfill_parts ORDER BY part"));
  EXPECT_EQ("t|t", Rows(&conn, "SELECT done, rows_done >= 20000 FROM pleat.backfill"));
  EXPECT_EQ("2", Value(&conn, "SELECT count(DISTINCT pid) FROM t"));
}

// A table below 10 batches is not split, however many jobs are idle.
TEST(ParallelRanges, SmallTablesAreNotSplit) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 1999) g");
  Status s = Start(SplitOptions(url, 4));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("1999|t|0", Rows(&conn, "SELECT rows_done, done, (SELECT count(*) FROM pleat.backfill_parts)"
                                    " FROM pleat.backfill"));
}

// Runs the backfill in a child killed before its `kill_at`-th batch (counting
// from 0, over all workers). Returns false when it finished first.
bool StartKilledAt(const std::string& url, int jobs, int kill_at) {
  pid_t pid = fork();
  if (pid == 0) {
    Options options = SplitOptions(url, jobs);
    std::atomic<int> batches{0};
    auto counting = options.before_step;
    options.before_step = [&, counting](const std::string& phase, const std::string& step) {
      counting(phase, step);
      if (phase == "backfill" && batches++ == kill_at) raise(SIGKILL);
    };
    _exit(Start(options).ok() ? 0 : 3);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFSIGNALED(status)) return false;
  // The killed client's backends leave once they notice; until then they hold locks.
  pg::Connection conn = Connect(url);
  for (int i = 0; i < 1000 && Value(&conn, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                           "'pleat' AND datname = current_database()") != "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return true;
}

// Killed mid-backfill, then started again with other --jobs: the recorded
// parts stay, each resumes from its own checkpoint, and no row a committed
// batch wrote is written again (hits stays 1).
TEST(ParallelRanges, KilledBackfillResumesEachPart) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "id int PRIMARY KEY", "g, g, 0, NULL");
  ASSERT_TRUE(StartKilledAt(url, 3, 20)) << "the backfill should have been killed";
  std::string done_rows = "SELECT count(*) FROM t WHERE w IS NOT NULL";
  std::string parts = "SELECT count(*), count(*) FILTER (WHERE rows_done > 0 AND NOT done), sum(rows_done)"
                      " FROM pleat.backfill_parts";
  std::string interrupted = Rows(&conn, parts);
  EXPECT_EQ("3|3|" + Value(&conn, done_rows), interrupted) << "every part had committed batches, none finished";
  EXPECT_EQ(Value(&conn, done_rows), Value(&conn, "SELECT rows_done FROM pleat.backfill"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM t WHERE hits > 1"));
  std::vector<std::string> log;
  Status s = Start(SplitOptions(url, 1, &log));
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (int part = 1; part <= 3; ++part)
    EXPECT_TRUE(Logged(log, "backfilling part " + std::to_string(part) + " of \"t\" from its checkpoint"));
  EXPECT_FALSE(Logged(log, "splitting"));
  ExpectEveryRowOnce(&conn, 3);
  EXPECT_EQ("3", Value(&conn, "SELECT count(*) FROM pleat.backfill_parts WHERE done"));
}

// A backfill an older pleat began (one checkpoint per table, no backfill_parts
// table) resumes from that checkpoint with more jobs, not split afresh.
TEST(ParallelRanges, OlderStateResumesUnsplit) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "id int PRIMARY KEY", "g, g, 0, NULL");
  ASSERT_TRUE(StartKilledAt(url, 1, 10));
  Exec(&conn, "DROP TABLE pleat.backfill_parts");
  std::string checkpoint = Value(&conn, "SELECT rows_done FROM pleat.backfill");
  std::vector<std::string> log;
  Status s = Start(SplitOptions(url, 3, &log));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Logged(log, "backfilling \"t\" from its checkpoint (" + checkpoint + " rows done)"));
  EXPECT_FALSE(Logged(log, "splitting"));
  ExpectEveryRowOnce(&conn, 0);
}

// `status` reports a split table as one entry: rows done summed over its parts.
TEST(ParallelRanges, StatusSumsTheParts) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  MakeTable(&conn, "id int PRIMARY KEY", "g, g, 0, NULL");
  ASSERT_TRUE(StartKilledAt(url, 2, 10));
  nlohmann::json st;
  Status s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const nlohmann::json& b = st["active"]["backfill"].at(0);
  EXPECT_EQ(std::stoll(Value(&conn, "SELECT count(*) FROM t WHERE w IS NOT NULL")), b["rows_done"]) << b;
  EXPECT_EQ(2, b["parts"]) << b;
  EXPECT_EQ(0, b["parts_done"]) << b;
  EXPECT_FALSE(b["done"]) << b;
  // A state schema from an older pleat has no backfill_parts: status still works.
  Exec(&conn, "DROP TABLE pleat.backfill_parts");
  s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(1, st["active"]["backfill"].at(0)["parts"]) << st;
}

}  // namespace
}  // namespace pleat::testing
