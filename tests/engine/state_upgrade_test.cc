// A state schema made by an older pleat (its backfill table without the
// progress columns) is brought up to date by the next command, and a migration
// then backfills and reports progress as usual. One without the lease table
// (an older pleat took an advisory lock) gains it, and `status` reads it meanwhile.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

TEST(StateUpgrade, OlderBackfillTableGainsTheProgressColumns) {
  std::string url = NewDatabase();
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok());
  pg::Connection conn = Connect(url);
  Exec(&conn, "ALTER TABLE pleat.backfill DROP COLUMN batches, DROP COLUMN batch_rows, DROP COLUMN rows_per_second,"
              " DROP COLUMN throttled, DROP COLUMN throttled_since; CREATE TABLE t (id int PRIMARY KEY, v int);"
              " INSERT INTO t SELECT g, g FROM generate_series(1, 100) g");
  MigrationFile file("01_w", "operations:\n  - add_column:\n      table: t\n      up: v * 2\n"
                             "      column: {name: w, type: int, nullable: true}\n");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("100|t", Rows(&conn, "SELECT rows_done, batches > 0 FROM pleat.backfill"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM t WHERE w IS DISTINCT FROM v * 2"));
}

// A state schema without the live control table (older pleat): status reads
// it as no control, and the next start creates it and records its settings.
TEST(StateUpgrade, OlderStateSchemaGainsTheControlTable) {
  std::string url = NewDatabase();
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok());
  pg::Connection conn = Connect(url);
  Exec(&conn, "DROP TABLE pleat.control; CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 1)");
  nlohmann::json st;
  Status s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(st["control"].is_null());
  MigrationFile file("01_w", "operations:\n  - add_column:\n      table: t\n      up: v * 2\n"
                             "      column: {name: w, type: int, nullable: true}\n");
  std::string vs;
  s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("false|2", Rows(&conn, "SELECT applied->>'paused', applied->>'jobs' FROM pleat.control"));
}

TEST(StateUpgrade, OlderStateSchemaGainsTheLease) {
  std::string url = NewDatabase();
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok());
  pg::Connection conn = Connect(url);
  Exec(&conn, "DROP TABLE pleat.lease; DROP FUNCTION pleat.check_lease(text, text)");
  nlohmann::json st;
  Status s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(st["running"].is_null());
  engine::Lifecycle holder(OptionsFor(url));
  s = holder.Init();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("init", Value(&conn, "SELECT command FROM pleat.lease"));
  EXPECT_EQ(Status::Code::kBusy, engine::Lifecycle(OptionsFor(url)).Init().code());
}

// A migrations table without the members column (older pleat, no windows):
// status and the completed names read it as it is, and the next command adds
// the column, so a single migration keeps working and counts as completed.
TEST(StateUpgrade, OlderMigrationsTableGainsTheMembersColumn) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 1)");
  MigrationFile file("01_w", "operations:\n  - add_column:\n      table: t\n      up: v * 2\n"
                             "      column: {name: w, type: int, nullable: true}\n");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), true, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Exec(&conn, "ALTER TABLE pleat.migrations DROP COLUMN members");
  nlohmann::json st;
  s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("[\"01_w\"]", st["completed"].dump());
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok());
  EXPECT_EQ("[]", Value(&conn, "SELECT members FROM pleat.migrations"));
}

}  // namespace
}  // namespace pleat::testing
