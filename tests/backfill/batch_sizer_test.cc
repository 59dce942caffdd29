// Pure logic of the backfill: how batch sizes follow the time target, and how
// progress is shown.
#include <gtest/gtest.h>

#include "backfill/batch_sizer.h"
#include "backfill/progress.h"

namespace pleat::backfill {
namespace {

TEST(BatchSizer, FollowsTheTimeTargetWithinItsBounds) {
  struct Case {
    const char* name;
    int min, max, target;
    std::vector<std::pair<long long, double>> batches;  // (rows, ms) of each committed batch
    int expected;
  };
  const Case cases[] = {
      {"starts at 1000", 100, 100000, 200, {}, 1000},
      {"start clamped to max", 10, 500, 200, {}, 500},
      {"fast batch grows at most 4x", 100, 100000, 200, {{1000, 10}}, 4000},
      {"then toward the target", 100, 100000, 200, {{1000, 10}, {4000, 100}}, 8000},
      {"never past max", 100, 5000, 200, {{1000, 10}, {4000, 10}}, 5000},
      {"slow batch shrinks at once", 100, 100000, 200, {{1000, 1000}}, 200},
      {"never below min", 100, 100000, 200, {{1000, 100000}}, 100},
      {"short last batch says nothing", 100, 100000, 200, {{10, 100}}, 1000},
      {"untimeably fast grows", 100, 100000, 200, {{1000, 0.5}}, 4000},
      {"fixed size stays", 700, 700, 200, {{700, 1}, {700, 5000}}, 700},
  };
  for (const auto& c : cases) {
    BatchSizer sizer(c.min, c.max, c.target);
    for (const auto& [rows, ms] : c.batches) sizer.Done(rows, ms);
    EXPECT_EQ(c.expected, sizer.rows()) << c.name;
  }
}

TEST(BatchSizer, HalvesAfterALockTimeoutDownToMin) {
  BatchSizer sizer(300, 100000, 200);
  EXPECT_TRUE(sizer.ShrinkAfterLockTimeout());
  EXPECT_EQ(500, sizer.rows());
  EXPECT_TRUE(sizer.ShrinkAfterLockTimeout());
  EXPECT_EQ(300, sizer.rows());
  EXPECT_FALSE(sizer.ShrinkAfterLockTimeout());
  EXPECT_EQ(300, sizer.rows());
}

TEST(Progress, BarsAndLinesCarryRowsRateAndEta) {
  TableProgress p{"orders", 250, 1000, 50, ""};
  EXPECT_EQ(15, EtaSeconds(p));
  EXPECT_EQ("\"orders\"  [######------------------] 25%  250/1000 rows  50 rows/s  ETA 15s", FormatBar(p, 8));
  EXPECT_EQ("backfilled \"orders\": 250 of about 1000 rows (25%), 50 rows/s, ETA 15s", FormatLine(p));
  p.throttled = "replica \"r1\" replays 7.0 s behind";
  EXPECT_NE(std::string::npos, FormatBar(p, 8).find("paused: replica \"r1\""));
  TableProgress past{"t", 1200, 1000, 10, ""};  // the estimate was low
  EXPECT_EQ(0, EtaSeconds(past));
  EXPECT_NE(std::string::npos, FormatBar(past, 3).find("100%"));
  TableProgress unknown{"t", 0, 1000, 0, ""};
  EXPECT_EQ(-1, EtaSeconds(unknown));
  EXPECT_NE(std::string::npos, FormatLine(unknown).find("ETA ?"));
  TableProgress long_one{"t", 0, 4000000, 1000, ""};
  EXPECT_NE(std::string::npos, FormatLine(long_one).find("ETA 1h6m"));
}

}  // namespace
}  // namespace pleat::backfill
