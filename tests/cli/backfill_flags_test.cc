// The backfill's flags (--backfill-target, --backfill-batch-size, --jobs,
// --max-replica-lag), what `status` reports about a backfill, and kill -9 of a
// parallel backfill followed by a re-run of `start`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "cli/run_pleat.h"

namespace pleat::testing {
namespace {

const char kAddToBoth[] = R"(
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

class BackfillFlags : public PleatTest {
 protected:
  // Tables a and b of `rows` rows each, never analyzed.
  void MakeTables(int rows) {
    for (const char* t : {"a", "b"})
      Query(std::string("CREATE TABLE ") + t + " (id int PRIMARY KEY, v int); INSERT INTO " + t +
            " SELECT g, g FROM generate_series(1, " + std::to_string(rows) + ") g");
  }
  void WaitForNoPleatSession() {
    for (int i = 0; i < 500 && Query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pleat'") != "0";
         ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
};

TEST_F(BackfillFlags, BadValuesAreUsageErrors) {
  struct Case {
    std::vector<std::string> flag;
    const char* message;
  };
  const Case cases[] = {
      {{"--backfill-target", "fast"}, "--backfill-target \"fast\" is not a duration"},
      {{"--backfill-target", "0ms"}, "--backfill-target must be at least 1ms"},
      {{"--backfill-batch-size", "500:100"}, "--backfill-batch-size \"500:100\" is not a row count or range"},
      {{"--backfill-batch-size", "0"}, "is not a row count or range"},
      {{"--backfill-batch-size", "1:x"}, "is not a row count or range"},
      {{"--max-replica-lag", "5 sec"}, "--max-replica-lag \"5 sec\" is not a duration"},
      {{"--jobs", "0"}, "--jobs must be at least 1"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"start", WriteFile("01_x.yaml", kAddToBoth)};
    args.insert(args.end(), c.flag.begin(), c.flag.end());
    PleatRun run = Pleat(args);
    EXPECT_EQ(2, run.exit_code) << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find(c.message)) << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find("hint: ")) << run.Describe();
  }
}

TEST_F(BackfillFlags, StatusCarriesTheProgressNumbers) {
  MakeTables(2500);
  PleatOk({"start", WriteFile("01_both.yaml", kAddToBoth), "--backfill-batch-size", "50", "--jobs", "1",
           "--backfill-target", "50ms", "--max-replica-lag", "0"});
  nlohmann::json st = nlohmann::json::parse(PleatOk({"status", "--json"}).out);
  ASSERT_EQ(2u, st["active"]["backfill"].size()) << st;
  for (const auto& b : st["active"]["backfill"]) {
    EXPECT_EQ(2500, b["rows_done"]) << b;
    EXPECT_EQ(2500, b["rows_total"]) << "a small table is counted, even never analyzed: " << b;
    EXPECT_EQ(50, b["batch_rows"]) << b;
    EXPECT_EQ(51, b["batches"]) << "50 full batches and the empty one that finds the end: " << b;
    EXPECT_GT(b["rows_per_second"].get<long long>(), 0) << b;
    EXPECT_TRUE(b["eta_seconds"].is_null()) << "done: " << b;
    EXPECT_TRUE(b["throttled"].is_null()) << b;
  }
  EXPECT_NE(std::string::npos, PleatOk({"status"}).out.find("backfill of \"b\": done, 2500 rows\n"));
}

// kill -9 while both tables backfill (tiny batches keep it going for a while),
// then `start` again: it resumes both from their checkpoints, never redoes a
// committed batch, and prints plain progress lines (stderr is not a terminal).
TEST_F(BackfillFlags, ParallelBackfillResumesAfterKill) {
  MakeTables(100000);
  std::string file = WriteFile("01_both.yaml", kAddToBoth);
  std::vector<std::string> args = {"start", file, "--backfill-batch-size", "20", "--jobs", "2"};
  // Killed once both tables have committed batches, however long the start
  // takes to get there on a loaded machine.
  auto both_part_done = [&](const PleatRun& so_far) {
    return so_far.err.find("backfilling \"a\"") != std::string::npos &&
           so_far.err.find("backfilling \"b\"") != std::string::npos &&
           Query("SELECT count(*) FROM pleat.backfill WHERE rows_done > 0 AND NOT done") == "2";
  };
  PleatRun killed = Pleat(args, {.timeout_s = 120, .kill_when = both_part_done});
  ASSERT_EQ(-1, killed.exit_code) << "expected to kill it mid-backfill\n" << killed.Describe();
  WaitForNoPleatSession();
  ASSERT_EQ("2", Query("SELECT count(*) FROM pleat.backfill WHERE rows_done > 0 AND NOT done"))
      << "both tables should be part done\n" << killed.Describe();
  PleatRun resumed = PleatOk(args, {.timeout_s = 300});
  for (const char* line : {"backfilling \"a\" from its checkpoint", "backfilling \"b\" from its checkpoint",
                           " of about 100000 rows (", " rows/s, ETA "})
    EXPECT_NE(std::string::npos, resumed.err.find(line)) << line << "\n" << resumed.Describe();
  EXPECT_EQ("2", Query("SELECT count(*) FROM pleat.backfill WHERE rows_done = 100000 AND done"))
      << "a committed batch was done twice, or one was lost";
  EXPECT_EQ("0", Query("SELECT (SELECT count(*) FROM a WHERE w IS DISTINCT FROM v * 2) +"
                       " (SELECT count(*) FROM b WHERE w IS DISTINCT FROM v * 3)"));
}

}  // namespace
}  // namespace pleat::testing
