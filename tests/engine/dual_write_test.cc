// The dual-write matrix: every way a client picks its version, crossed with
// every kind of write, during a migration that adds `display` (up: upper(name))
// and drops `score` (down: length(display)). Old writers must get display
// computed by up; new writers keep the display they wrote and get score
// computed by down. Each case works on its own key range of one database.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

const char* kCreatePeople = R"(
operations:
  - create_table:
      name: people
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
        - {name: score, type: int, nullable: true}
)";

const char* kDisplayForScore = R"(
operations:
  - add_column:
      table: people
      up: upper(name)
      column: {name: display, type: text, nullable: true}
  - drop_column:
      table: people
      column: score
      down: length(display)
)";

// A database with people (3 rows) completed and the migration under test started.
struct Versions {
  std::string url, old_vs, new_vs;
};

void StartMigration(Versions* v) {
  v->url = NewOwnedDatabase();
  Status s = StartYaml(v->url, "01_people", kCreatePeople, /*complete=*/true, &v->old_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  pg::Connection conn = Connect(v->url);
  Exec(&conn, "INSERT INTO people (name, score) VALUES ('alice', 1), ('bob', 2), ('carol', NULL)");
  s = StartYaml(v->url, "02_display", kDisplayForScore, /*complete=*/false, &v->new_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("alice|ALICE|1\nbob|BOB|2\ncarol|CAROL|NULL",
            Rows(&conn, "SELECT name, display, score FROM people ORDER BY id"))
      << "backfill";
}

enum class Path { kSearchPathAlone, kSearchPathFirst, kQualifiedNew, kQualifiedOld, kRawTable };

struct PathInfo {
  Path path;
  const char* name;
  bool is_new;
};

constexpr PathInfo kPaths[] = {
    {Path::kSearchPathAlone, "new via SET search_path TO <new>", true},
    {Path::kSearchPathFirst, "new via SET search_path TO <new>, public", true},
    {Path::kQualifiedNew, "new via qualified <new>.people (Prisma 7)", true},
    {Path::kQualifiedOld, "old via qualified <old>.people", false},
    {Path::kRawTable, "old via the physical table", false},
};

// The session setup a client of `path` runs, and the name it writes to.
std::string SessionSql(Path path, const Versions& v) {
  if (path == Path::kSearchPathAlone) return "SET search_path TO " + pg::QuoteIdent(v.new_vs);
  if (path == Path::kSearchPathFirst) return "SET search_path TO " + pg::QuoteIdent(v.new_vs) + ", public";
  return "";
}

std::string TableRef(Path path, const Versions& v) {
  if (path == Path::kQualifiedNew) return pg::QualifiedName(v.new_vs, "people");
  if (path == Path::kQualifiedOld) return pg::QualifiedName(v.old_vs, "people");
  return "people";
}

// One kind of write, as each version writes it. Placeholders: {T} the table
// the client names, {id}/{id1} the case's keys, {D} ", display" on the raw
// path (an old client of the physical table can read the computed column).
// *_rows are `name|display|score` of the case's rows afterwards; *_returns
// what the statement returns (raw_returns: on the raw path).
struct Write {
  const char* name;
  const char* seed;  // run first as an old writer of the physical table
  const char* old_sql;
  const char* old_returns;
  const char* raw_returns;
  const char* old_rows;
  const char* new_sql;
  const char* new_returns;
  const char* new_rows;
};

const char* kSeedAnn = "INSERT INTO public.people (id, name, score) VALUES ({id}, 'ann', 7)";

const Write kWrites[] = {
    {"insert", "",
     "INSERT INTO {T} (id, name, score) VALUES ({id}, 'ann', 7)", "", "", "ann|ANN|7",
     "INSERT INTO {T} (id, name, display) VALUES ({id}, 'ann', 'Mine')", "", "ann|Mine|4"},
    {"insert leaving the other version's column out", "",
     "INSERT INTO {T} (id, name) VALUES ({id}, 'ann')", "", "", "ann|ANN|NULL",
     "INSERT INTO {T} (id, name) VALUES ({id}, 'ann')", "", "ann|NULL|NULL"},
    {"multi-row insert", "",
     "INSERT INTO {T} (id, name, score) VALUES ({id}, 'ann', 7), ({id1}, 'bob', DEFAULT)", "", "",
     "ann|ANN|7\nbob|BOB|NULL",
     "INSERT INTO {T} (id, name, display) VALUES ({id}, 'ann', 'Mine'), ({id1}, 'bob', DEFAULT)", "",
     "ann|Mine|4\nbob|NULL|NULL"},
    {"update of the up column", kSeedAnn,
     "UPDATE {T} SET name = 'zoe' WHERE id = {id}", "", "", "zoe|ZOE|7",
     "UPDATE {T} SET name = 'zoe' WHERE id = {id}", "", "zoe|ANN|3"},
    {"update of the other columns", kSeedAnn,
     "UPDATE {T} SET score = 9 WHERE id = {id}", "", "", "ann|ANN|9",
     "UPDATE {T} SET display = 'Hello' WHERE id = {id}", "", "ann|Hello|5"},
    {"update returning", kSeedAnn,
     "UPDATE {T} SET name = 'zoe' WHERE id = {id} RETURNING id - {id}, name, score{D}", "0|zoe|7", "0|zoe|7|ZOE",
     "zoe|ZOE|7",
     "UPDATE {T} SET name = 'zoe', display = display || '!' WHERE id = {id} RETURNING id - {id}, name, display",
     "0|zoe|ANN!", "zoe|ANN!|4"},
    {"delete", "INSERT INTO public.people (id, name, score) VALUES ({id}, 'ann', 7), ({id1}, 'bob', 8)",
     "DELETE FROM {T} WHERE id = {id}", "", "", "bob|BOB|8",
     "DELETE FROM {T} WHERE id = {id}", "", "bob|BOB|8"},
    {"upsert, insert branch", "",
     "INSERT INTO {T} (id, name, score) VALUES ({id}, 'ann', 7) "
     "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, score = EXCLUDED.score", "", "", "ann|ANN|7",
     "INSERT INTO {T} (id, name, display) VALUES ({id}, 'ann', 'Mine') "
     "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, display = EXCLUDED.display", "", "ann|Mine|4"},
    {"upsert, update branch", kSeedAnn,
     "INSERT INTO {T} (id, name, score) VALUES ({id}, 'zoe', 9) "
     "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, score = EXCLUDED.score", "", "", "zoe|ZOE|9",
     "INSERT INTO {T} (id, name, display) VALUES ({id}, 'zoe', 'Hello') "
     "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, display = EXCLUDED.display", "", "zoe|Hello|5"},
    {"upsert, update branch of the up column only", kSeedAnn,
     "INSERT INTO {T} (id, name, score) VALUES ({id}, 'zoe', 9) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
     "", "", "zoe|ZOE|7",
     "INSERT INTO {T} (id, name, display) VALUES ({id}, 'zoe', 'x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
     "", "zoe|ANN|3"},
};

std::string Fill(std::string text, const std::string& table, int id, bool raw) {
  auto replace = [&text](const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  };
  replace("{T}", table);
  replace("{id1}", std::to_string(id + 1));
  replace("{id}", std::to_string(id));
  replace("{D}", raw ? ", display" : "");
  return text;
}

std::string CaseRows(pg::Connection* conn, int id) {
  return Rows(conn, "SELECT name, display, score FROM public.people WHERE id BETWEEN " + std::to_string(id) + " AND " +
                        std::to_string(id + 9) + " ORDER BY id");
}

// Runs one write through one path in a session of its own and checks the rows.
void RunCase(const Versions& v, pg::Connection* admin, const PathInfo& p, const Write& w, int id) {
  SCOPED_TRACE(std::string("case: ") + p.name + " x " + w.name + " (ids from " + std::to_string(id) + ")");
  bool raw = p.path == Path::kRawTable;
  std::string table = TableRef(p.path, v);
  if (*w.seed) Exec(admin, Fill(w.seed, table, id, raw));
  pg::Connection client = Connect(v.url);
  std::string session = SessionSql(p.path, v);
  if (!session.empty()) Exec(&client, session);
  std::string sql = Fill(p.is_new ? w.new_sql : w.old_sql, table, id, raw);
  std::string returns = p.is_new ? w.new_returns : raw ? w.raw_returns : w.old_returns;
  EXPECT_EQ(returns, Rows(&client, sql)) << "returned by: " << sql;
  EXPECT_EQ(p.is_new ? w.new_rows : w.old_rows, CaseRows(admin, id)) << "rows after: " << sql;
}

TEST(DualWrite, EveryPathAndStatement) {
  Versions v;
  ASSERT_NO_FATAL_FAILURE(StartMigration(&v));
  pg::Connection admin = Connect(v.url);
  int id = 1000;
  for (const auto& p : kPaths)
    for (const auto& w : kWrites) RunCase(v, &admin, p, w, id += 10);
  // The first rows were never touched by the cases.
  EXPECT_EQ("alice|ALICE|1\nbob|BOB|2\ncarol|CAROL|NULL", CaseRows(&admin, 1));
}

// Generic plans must not freeze the writer: the marker runs at every execution.
TEST(DualWrite, PreparedStatementsThroughQualifiedNames) {
  Versions v;
  ASSERT_NO_FATAL_FAILURE(StartMigration(&v));
  pg::Connection admin = Connect(v.url);
  pg::Connection client = Connect(v.url);
  std::string people = pg::QualifiedName(v.new_vs, "people");
  Exec(&client, "PREPARE ins(int, text, text) AS INSERT INTO " + people + " (id, name, display) VALUES ($1, $2, $3)");
  Exec(&client, "PREPARE upd(int, text) AS UPDATE " + people + " SET name = $2 WHERE id = $1");
  Exec(&client, "PREPARE raw_upd(int, text) AS UPDATE public.people SET name = $2 WHERE id = $1");
  for (int i = 0; i < 8; ++i) {
    std::string id = std::to_string(2000 + i);
    Exec(&client, "EXECUTE ins(" + id + ", 'ann', 'Mine')");
    Exec(&client, "EXECUTE upd(" + id + ", 'zoe')");
    Exec(&admin, "INSERT INTO public.people (id, name) VALUES (" + id + " + 100, 'ann')");
    Exec(&client, "EXECUTE raw_upd(" + id + " + 100, 'zoe')");
  }
  EXPECT_EQ("ins|t\nraw_upd|t\nupd|t",
            Rows(&client, "SELECT name, generic_plans > 0 FROM pg_prepared_statements ORDER BY name"))
      << "the test must exercise generic plans";
  EXPECT_EQ("8|zoe|Mine|4", Rows(&admin, "SELECT count(*), min(name), min(display), min(score) FROM people "
                                         "WHERE id BETWEEN 2000 AND 2099 GROUP BY name, display, score"));
  EXPECT_EQ("8|zoe|ZOE|NULL", Rows(&admin, "SELECT count(*), min(name), min(display), min(score) FROM people "
                                           "WHERE id BETWEEN 2100 AND 2199 GROUP BY name, display, score"));
}

// The extended protocol (what drivers such as Prisma's use), unnamed statements.
TEST(DualWrite, ExtendedProtocolThroughQualifiedNames) {
  Versions v;
  ASSERT_NO_FATAL_FAILURE(StartMigration(&v));
  pg::Connection client = Connect(v.url);
  std::string people = pg::QualifiedName(v.new_vs, "people");
  for (int i = 0; i < 8; ++i) {
    std::string id = std::to_string(3000 + i);
    Status s = client.ExecParams("INSERT INTO " + people + " (id, name, display) VALUES ($1, $2, $3)", {id, "ann", "Mine"});
    if (s.ok()) s = client.ExecParams("UPDATE " + people + " SET name = $2 WHERE id = $1", {id, "zoe"});
    if (s.ok()) s = client.ExecParams("UPDATE public.people SET name = $2 WHERE id = $1 + 100", {id, "bob"});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_EQ("zoe|Mine|4|8", Rows(&client, "SELECT name, display, score, count(*) FROM public.people "
                                          "WHERE id BETWEEN 3000 AND 3099 GROUP BY 1, 2, 3"));
}

// Writes that share a simple-query message (or a DO block) share one
// statement_timestamp(); each must still count as the version it went
// through: a read through the new version followed by a raw-table UPDATE is
// an old write, an old INSERT followed by a new one is a new write, and so on.
TEST(DualWrite, StatementsSharingATimestampKeepTheirOwnWriter) {
  Versions v;
  ASSERT_NO_FATAL_FAILURE(StartMigration(&v));
  pg::Connection client = Connect(v.url);
  std::string people = pg::QualifiedName(v.new_vs, "people");
  std::string seed = "INSERT INTO public.people (id, name, score) VALUES ({id}, 'ann', 7)";
  const struct {
    const char* name;
    std::vector<std::string> statements;  // {id}: the case's key
    const char* rows;                     // name|display|score of the case's rows
  } cases[] = {
      {"select through the new view, then raw update, one by one",
       {seed, "BEGIN", "SELECT count(*) FROM " + people, "UPDATE public.people SET name = 'zoe' WHERE id = {id}",
        "COMMIT"},
       "zoe|ZOE|7"},
      {"select through the new view, then raw update, in one message",
       {seed, "BEGIN; SELECT count(*) FROM " + people + "; UPDATE public.people SET name = 'zoe' WHERE id = {id}; COMMIT"},
       "zoe|ZOE|7"},
      {"new update, then raw update, in one message",
       {seed + "; UPDATE " + people + " SET display = 'Hi' WHERE id = {id}; "
                "UPDATE public.people SET name = 'zoe' WHERE id = {id}"},
       "zoe|ZOE|2"},
      {"new insert, then raw update, in one message",
       {"INSERT INTO " + people + " (id, name, display) VALUES ({id}, 'ann', 'Mine'); "
        "UPDATE public.people SET name = 'zoe' WHERE id = {id}"},
       "zoe|ZOE|4"},
      {"old insert, then new insert, in one message",
       {"INSERT INTO public.people (id, name, score) VALUES ({id}, 'ann', 7); "
        "INSERT INTO " + people + " (id, name, display) VALUES ({id} + 1, 'bob', 'Mine')"},
       "ann|ANN|7\nbob|Mine|4"},
      {"select through the new view, then raw update, in a DO block",
       {seed, "DO $$ BEGIN PERFORM count(*) FROM " + people +
                  "; UPDATE public.people SET name = 'zoe' WHERE id = {id}; END $$"},
       "zoe|ZOE|7"},
  };
  int id = 4000;
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("case: ") + c.name);
    id += 10;
    for (const auto& sql : c.statements) Exec(&client, Fill(sql, people, id, false));
    EXPECT_EQ(c.rows, CaseRows(&client, id));
  }
}

}  // namespace
}  // namespace pleat::testing
