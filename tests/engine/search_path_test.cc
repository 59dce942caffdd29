// Which trigger functions pin their search_path, and that writes compute the
// same values either way: SearchPathCheck against a real catalog, then the
// trigger of a migration whose `up` names only pg_catalog objects (no SET
// clause) and of one that calls a function of the table's schema (pinned),
// each written by sessions whose search_path lacks that schema.
#include <gtest/gtest.h>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "planner/search_path_check.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

bool Independent(const planner::SearchPathCheck& check, const std::string& text) {
  parse::Expression e;
  Status s = parse::Expression::Parse(text, &e);
  EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  return check.Independent(e);
}

planner::SearchPathCheck Load(pg::Connection* conn) {
  planner::SearchPathCheck check;
  Status s = planner::SearchPathCheck::Load(conn, &check);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return check;
}

TEST(SearchPathCheck, OnlyNamesThatExistJustInPgCatalogAreIndependent) {
  pg::Connection conn = Connect(NewOwnedDatabase());
  Exec(&conn, "CREATE FUNCTION public.shout(t text) RETURNS text LANGUAGE sql AS 'SELECT upper(t)'; "
              "CREATE TYPE public.mood AS ENUM ('ok'); CREATE SEQUENCE public.s");
  planner::SearchPathCheck check = Load(&conn);
  for (const char* text : {"upper(NEW.b) || '-' || NEW.a::text", "coalesce(b, 'x') COLLATE \"C\"",
                           "CASE a WHEN 1 THEN b END", "a IN (1, 2) AND b LIKE 'x%' AND a BETWEEN 1 AND 3",
                           "a IS DISTINCT FROM 3", "pg_catalog.upper(b)", "public.shout(b)",
                           "(SELECT count(*) FROM public.t)", "split_part(b, ' ', 1)::varchar(20)"})
    EXPECT_TRUE(Independent(check, text)) << text;
  for (const char* text : {"shout(b)", "'ok'::mood", "nextval('s')", "'t'::regclass", "to_regclass('t')",
                           "current_schema()", "(SELECT count(*) FROM t)", "current_setting('search_path')"})
    EXPECT_FALSE(Independent(check, text)) << text;

  // An operator of another schema makes every use of its name depend on the path.
  Exec(&conn, "CREATE FUNCTION public.cat_int(text, int) RETURNS text LANGUAGE sql AS 'SELECT $1 || ''#'''; "
              "CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = int, FUNCTION = public.cat_int)");
  EXPECT_FALSE(Independent(Load(&conn), "b || 'x'"));
}

const char* kCreateItems = R"(
operations:
  - create_table:
      name: items
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
        - {name: qty, type: int}
)";

// The trigger's function: whether it has a SET clause, and the labels of a row
// the backfill filled and of one written afterwards by a session whose
// search_path lacks the table's schema.
struct Written {
  std::string config, backfilled, label;
};

Written StartAndWrite(const std::string& up, const std::string& schema = "public") {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  std::string qualified = pg::QuoteIdent(schema);
  Exec(&conn, "CREATE SCHEMA IF NOT EXISTS " + qualified + "; CREATE FUNCTION " + qualified +
                  ".shout(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper(t) || ''!'''");
  MigrationFile create("01_items", kCreateItems);
  MigrationFile label("02_label", "operations:\n  - add_column:\n      table: items\n      up: \"" + up +
                                      "\"\n      column: {name: label, type: text, nullable: true}\n");
  Options options = OptionsFor(url);
  options.schema = schema;
  std::string vs;
  Status s = engine::Lifecycle(options).Start(create.path(), /*complete=*/true, &vs);
  Exec(&conn, "INSERT INTO " + qualified + ".items (name, qty) VALUES ('old', 1)");
  if (s.ok()) s = engine::Lifecycle(options).Start(label.path(), /*complete=*/false, &vs);
  EXPECT_TRUE(s.ok()) << s.ToString();
  Written w;
  w.config = Value(&conn, "SELECT coalesce(array_to_string(proconfig, ','), '') FROM pg_proc WHERE proname LIKE "
                          "'%sync%items%' AND pronamespace = " + pg::QuoteLiteral(qualified) + "::regnamespace");
  w.backfilled = Value(&conn, "SELECT label FROM " + qualified + ".items WHERE name = 'old'");
  Exec(&conn, "CREATE SCHEMA elsewhere; SET search_path = elsewhere; "
              "INSERT INTO " + qualified + ".items (name, qty) VALUES ('box', 3)");
  w.label = Value(&conn, "SELECT label FROM " + qualified + ".items WHERE name = 'box'");
  return w;
}

TEST(SearchPathTrigger, BuiltinsOnlyGoWithoutTheClause) {
  Written w = StartAndWrite("upper(name) || '#' || qty");
  EXPECT_EQ("", w.config);
  EXPECT_EQ("OLD#1", w.backfilled);
  EXPECT_EQ("BOX#3", w.label);
}

TEST(SearchPathTrigger, AFunctionOfTheTablesSchemaPinsIt) {
  Written w = StartAndWrite("shout(name)");
  EXPECT_EQ("search_path=pg_catalog, public", w.config);
  EXPECT_EQ("OLD!", w.backfilled);
  EXPECT_EQ("BOX!", w.label);
}

// The backfill resolves `up` as the trigger does, though `app` is on no
// search_path of the role: pleat's own sessions put the target schema first.
TEST(SearchPathTrigger, AnotherTargetSchemasFunctionWorksInBackfillAndTrigger) {
  Written w = StartAndWrite("shout(name)", "app");
  EXPECT_EQ("search_path=pg_catalog, app", w.config);
  EXPECT_EQ("OLD!", w.backfilled);
  EXPECT_EQ("BOX!", w.label);
}

}  // namespace
}  // namespace pleat::testing
