// PostgreSQL 18's virtual generated columns (the default kind there): a table
// with one migrates like any other, both versions read the computed value and
// write around it, rollback leaves the schema as it was, and a change of the
// column itself or of a column it is computed from is refused before any DDL.
// Skipped on servers before 18.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

TEST(VirtualGenerated, MigratesBesideItAndRefusesToChangeIt) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  if (conn.ServerVersion() < 180000) GTEST_SKIP() << "virtual generated columns need PostgreSQL 18";
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2) VIRTUAL); "
              "INSERT INTO t (id, a) VALUES (1, 10), (2, 20)");
  std::string before = DumpSchema(url, "public");
  const char* add = "operations:\n  - add_column:\n      table: t\n      up: a + 1\n"
                    "      column: {name: b, type: int, nullable: true}\n";
  std::string vs;
  Status s = StartYaml(url, "02_add_b", add, false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Exec(&conn, "INSERT INTO public.t (id, a) VALUES (3, 30)");
  Exec(&conn, "INSERT INTO " + vs + ".t (id, a, b) VALUES (4, 40, 41)");
  EXPECT_EQ("1|10|20|11\n2|20|40|21\n3|30|60|31\n4|40|80|41",
            Rows(&conn, "SELECT id, a, g, b FROM " + vs + ".t ORDER BY id"));
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Rollback().ok());
  EXPECT_EQ(before, DumpSchema(url, "public"));
  s = StartYaml(url, "02_add_b", add, true, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("v", Value(&conn, "SELECT attgenerated FROM pg_attribute WHERE attrelid = 't'::regclass AND "
                              "attname = 'g'"));
  EXPECT_EQ("1|20|11\n2|40|21\n3|60|31\n4|80|41", Rows(&conn, "SELECT id, g, b FROM " + vs + ".t ORDER BY id"));

  before = DumpSchema(url, "public");
  s = StartYaml(url, "03_retype_a", "operations:\n  - alter_column: {table: t, column: a, type: bigint, "
                                "up: a::bigint, down: a::int}\n", false, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("column g of table t")) << s.ToString();
  s = StartYaml(url, "03_retype_g", "operations:\n  - alter_column: {table: t, column: g, type: bigint, "
                                "up: g::bigint, down: g::int}\n", false, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(before, DumpSchema(url, "public"));
}

}  // namespace
}  // namespace pleat::testing
