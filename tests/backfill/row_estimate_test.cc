// TableWalk::EstimateRows (src/backfill/table_walk.h): a table with statistics
// gets the planner's estimate, which reads no row (a count was a full read of
// the table at every start); a small table never analyzed is counted.
#include <gtest/gtest.h>

#include "backfill/table_walk.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

long long Estimate(pg::Connection* conn) {
  backfill::TableWalk walk;
  Status s = backfill::TableWalk::Open(conn, "public", "t", &walk);
  long long rows = -1;
  if (s.ok()) s = walk.EstimateRows(conn, &rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return rows;
}

TEST(RowEstimate, ATableNeverAnalyzedIsCounted) {
  pg::Connection conn = Connect(NewDatabase());
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g");
  EXPECT_EQ(3000, Estimate(&conn));
}

// 1000 of 3000 rows deleted after ANALYZE: a count would say 2000, the
// statistics (scaled to the unchanged size) still say 3000.
TEST(RowEstimate, ATableWithStatisticsIsNotRead) {
  pg::Connection conn = Connect(NewDatabase());
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g");
  Exec(&conn, "VACUUM ANALYZE t");
  Exec(&conn, "DELETE FROM t WHERE id <= 1000");
  EXPECT_EQ(3000, Estimate(&conn));
}

}  // namespace
}  // namespace pleat::testing
