// MERGE (PostgreSQL 17 and later accept it on auto-updatable views): a MERGE
// through the new version's view counts as a new-version write, for its UPDATE
// and its INSERT actions, and a MERGE into the table as an old-version write,
// as the other kinds of write do. Skipped on servers before 17.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

TEST(Merge, ToldApartByVersionLikeOtherWrites) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  if (conn.ServerVersion() < 170000) GTEST_SKIP() << "MERGE into a view needs PostgreSQL 17";
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, a int); INSERT INTO t VALUES (1, 10), (2, 20)");
  MigrationFile file("02_hundredfold", R"(
operations:
  - alter_column: {table: t, column: a, type: bigint, up: a * 100, down: a / 100}
)");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const char* merge = " v USING (VALUES (1, 555), (3, 777)) s(id, a) ON v.id = s.id WHEN MATCHED THEN UPDATE SET "
                      "a = s.a WHEN NOT MATCHED THEN INSERT (id, a) VALUES (s.id, s.a)";
  Exec(&conn, "MERGE INTO " + vs + ".t" + merge);
  EXPECT_EQ("1|5|555\n2|20|2000\n3|7|777", Rows(&conn, "SELECT p.id, p.a, n.a FROM public.t p JOIN " + vs +
                                                           ".t n USING (id) ORDER BY id"));
  Exec(&conn, "MERGE INTO public.t v USING (VALUES (2, 3), (4, 4)) s(id, a) ON v.id = s.id WHEN MATCHED THEN "
              "UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT (id, a) VALUES (s.id, s.a)");
  EXPECT_EQ("1|5|555\n2|3|300\n3|7|777\n4|4|400", Rows(&conn, "SELECT p.id, p.a, n.a FROM public.t p JOIN " + vs +
                                                                  ".t n USING (id) ORDER BY id"));
  s = engine::Lifecycle(OptionsFor(url)).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace pleat::testing
