// What the dual-write machinery runs inside an application's writes (issue 18):
// one PL/pgSQL call per row and one per statement, no call for the marker
// defaults (inlined SQL functions). Counted with
// track_functions = 'pl' (pg_stat_xact_user_functions counts PL/pgSQL and SQL
// functions that were called rather than inlined), during an add_column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kCreatePeople = R"(
operations:
  - create_table:
      name: people
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
)";

const char* kAddDisplay = R"(
operations:
  - add_column:
      table: people
      up: upper(name)
      column: {name: display, type: text, nullable: true}
)";

// The functions `statements` (each sent as one message) called, in one
// transaction of their own, as "name=calls,...".
// The view shows the session's counts not yet reported (they build up over
// transactions until the idle session reports them), so this takes the
// difference within the one transaction, where nothing is reported.
std::string Calls(pg::Connection* conn, const std::vector<std::string>& statements) {
  const char* counts = "SELECT funcname, calls FROM pg_stat_xact_user_functions";
  Exec(conn, "BEGIN");
  Exec(conn, "SET LOCAL track_functions = 'pl'");
  Exec(conn, std::string("CREATE TEMP TABLE calls_before ON COMMIT DROP AS ") + counts);
  for (const auto& sql : statements) Exec(conn, sql);
  std::string calls = Value(conn, std::string("SELECT coalesce(string_agg(a.funcname || '=' || (a.calls - "
                                              "coalesce(b.calls, 0)), ',' ORDER BY a.funcname), '') FROM (") +
                                      counts + ") a LEFT JOIN calls_before b USING (funcname) "
                                               "WHERE a.calls > coalesce(b.calls, 0)");
  Exec(conn, "COMMIT");
  return calls;
}

TEST(WritePath, OneCallPerRowAndStatementAndNoneForMarkerDefaults) {
  std::string url = NewDatabase();  // a superuser's: track_functions is a superuser setting
  std::string old_vs, new_vs;
  Status s = StartYaml(url, "01_people", kCreatePeople, /*complete=*/true, &old_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  pg::Connection conn = Connect(url);
  Exec(&conn, "INSERT INTO people (name) VALUES ('alice'), ('bob'), ('carol')");
  s = StartYaml(url, "02_display", kAddDisplay, /*complete=*/false, &new_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string people = pg::QualifiedName(new_vs, "people");

  // UPDATEs: one call of the UPDATE function per row and of statement_start per statement;
  // through the view, also the view's qual once.
  EXPECT_EQ("_pleat_syncupd_people=3,statement_start=1", Calls(&conn, {"UPDATE public.people SET name = name || 'x'"}));
  EXPECT_EQ("alicex|ALICEX\nbobx|BOBX\ncarolx|CAROLX", Rows(&conn, "SELECT name, display FROM people ORDER BY id"));
  EXPECT_EQ("_pleat_syncupd_people=2,mark=1,statement_start=1",
            Calls(&conn, {"UPDATE " + people + " SET name = 'zoe', display = 'Mine' WHERE id <= 2"}));
  EXPECT_EQ("zoe|Mine\nzoe|Mine\ncarolx|CAROLX", Rows(&conn, "SELECT name, display FROM people ORDER BY id"));
  // INSERTs: the marker default is inlined into the INSERT (no call); the INSERT function decides the writer.
  EXPECT_EQ("_pleat_sync_people=1,statement_start=1",
            Calls(&conn, {"INSERT INTO public.people (id, name) VALUES (10, 'dan')"}));
  EXPECT_EQ("_pleat_sync_people=1,statement_start=1",
            Calls(&conn, {"INSERT INTO " + people + " (id, name, display) VALUES (11, 'eve', 'Mine')"}));
  EXPECT_EQ("dan|DAN\neve|Mine", Rows(&conn, "SELECT name, display FROM people WHERE id >= 10 ORDER BY id"));
}

}  // namespace
}  // namespace pleat::testing
