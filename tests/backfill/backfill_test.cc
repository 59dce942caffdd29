// Backfill through every kind of key the walk can use, and the message of a
// batch that fails on one row.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

Status Start(const std::string& url, const std::string& name, const std::string& yaml,
             std::vector<std::string>* log = nullptr) {
  MigrationFile file(name, yaml);
  std::string vs;
  return engine::Lifecycle(OptionsFor(url, log)).Start(file.path(), false, &vs);
}

struct KeyCase {
  const char* name;
  const char* table_sql;  // creates table t(k ..., v int) with 5000 rows
};

TEST(Backfill, WalksEveryKindOfKey) {
  const KeyCase cases[] = {
      {"primary_key", "CREATE TABLE t (k int PRIMARY KEY, v int)"},
      {"composite_primary_key", "CREATE TABLE t (k int, k2 int, v int, PRIMARY KEY (k2, k))"},
      {"unique_not_null", "CREATE TABLE t (k int NOT NULL UNIQUE, v int)"},
      {"text_key", "CREATE TABLE t (k text PRIMARY KEY, v int)"},
      {"no_key_ctid", "CREATE TABLE t (k int, v int)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string url = NewOwnedDatabase();
    pg::Connection conn = Connect(url);
    Exec(&conn, c.table_sql);
    bool composite = std::string(c.name) == "composite_primary_key";
    Exec(&conn, std::string("INSERT INTO t SELECT g") + (composite ? ", g % 7" : "") +
                    ", g FROM generate_series(1, 5000) g");
    std::vector<std::string> log;
    Status s = Start(url, std::string("01_") + c.name, R"(
operations:
  - add_column:
      table: t
      up: v * 2
      column: {name: w, type: int, nullable: true}
)", &log);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ("5000|0", Rows(&conn, "SELECT count(*), count(*) FILTER (WHERE w IS DISTINCT FROM v * 2) FROM t"));
    // A ctid walk may meet a row twice when an update moved it further into the
    // walked range (same value again); key walks meet each row once.
    std::string exact = std::string(c.name) == "no_key_ctid" ? "rows_done >= 5000" : "rows_done = 5000";
    EXPECT_EQ("t|t", Rows(&conn, "SELECT " + exact + ", done FROM pleat.backfill WHERE table_name = 't'"));
  }
}

TEST(Backfill, FailingRowIsNamedWithItsExpression) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g");
  // The preflight would refuse the file; past it (--force, or data changed
  // since), the backfill itself must name the row.
  Options options = OptionsFor(url);
  options.preflight.force = true;
  MigrationFile file("01_fails", R"(
operations:
  - add_column:
      table: t
      up: 100 / (v - 2500)
      column: {name: w, type: int, nullable: true}
)");
  std::string vs;
  Status s = engine::Lifecycle(options).Start(file.path(), false, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("(\"id\")=(2500)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("division by zero"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("\"w\""), std::string::npos) << s.message();
  EXPECT_NE(s.hint().find("up"), std::string::npos) << s.hint();
  // Batches before the failing one stay committed; a rollback then clears everything.
  EXPECT_EQ("t", Value(&conn, "SELECT rows_done >= 1000 FROM pleat.backfill WHERE table_name = 't'"));
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Rollback().ok());
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'w' AND NOT attisdropped"));
}

}  // namespace
}  // namespace pleat::testing

namespace pleat::testing {
namespace {

// Old writers may update other columns of rows the backfill has not reached yet;
// a NOT NULL check on the new column must not exist before every row has a value.
TEST(Backfill, NotNullChecksComeAfterTheBackfill) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 100) g");
  Status s = Start(url, "01_not_null_order", R"(
operations:
  - add_column:
      table: t
      up: v + 1
      column: {name: w, type: int}
  - alter_column:
      table: t
      column: v
      nullable: false
      up: coalesce(v, 0)
)");
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string order = Value(&conn,
                            "SELECT string_agg(s->>'id', ',' ORDER BY n) FROM pleat.migrations, "
                            "jsonb_array_elements(plans->'start') WITH ORDINALITY e(s, n) "
                            "WHERE s->>'id' LIKE '%backfill%' OR s->>'id' LIKE '%not_null%'");
  EXPECT_EQ(0u, order.find("backfill,")) << order;
  EXPECT_NE(order.find("not_null"), std::string::npos) << order;
  EXPECT_NE(order.find("shadow_not_null"), std::string::npos) << order;
}

}  // namespace
}  // namespace pleat::testing
