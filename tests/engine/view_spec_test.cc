// A ViewSpec is stored in the views Step of a plan and read back when the
// step runs: it must round-trip through JSON exactly. FromSchema must describe
// the version a virtual schema shows, and BuildViewsSql must turn a spec into
// views that show exactly that.
#include <gtest/gtest.h>

#include <string>

#include "planner/view_spec.h"
#include "support/test_db.h"

namespace pleat::engine {
namespace {

planner::ViewSpec Spec(const std::string& vs, bool mark) {
  planner::ViewSpec s;
  s.version_schema = vs;
  s.target_schema = "public";
  s.state_schema = "pleat";
  s.mark = mark;
  return s;
}

void ExpectSameSpec(const planner::ViewSpec& want, const planner::ViewSpec& got) {
  EXPECT_EQ(want.version_schema, got.version_schema);
  EXPECT_EQ(want.target_schema, got.target_schema);
  EXPECT_EQ(want.state_schema, got.state_schema);
  EXPECT_EQ(want.mark, got.mark);
  EXPECT_EQ(want.hidden_tables, got.hidden_tables);
  ASSERT_EQ(want.tables.size(), got.tables.size());
  for (const auto& [physical, t] : want.tables) {
    SCOPED_TRACE("table " + physical);
    ASSERT_EQ(1u, got.tables.count(physical));
    const planner::TableViewSpec& g = got.tables.at(physical);
    EXPECT_EQ(t.name, g.name);
    EXPECT_EQ(t.renamed, g.renamed);
    EXPECT_EQ(t.hidden, g.hidden);
    EXPECT_EQ(t.defaults, g.defaults);
  }
}

TEST(ViewSpec, JsonRoundTrip) {
  planner::ViewSpec plain = Spec("public_01_create", false);
  planner::ViewSpec full = Spec("public_02_\"odd\" name", true);
  full.hidden_tables = {"old_table", "Another"};
  full.tables["people"] = {"persons", {{"name", "full_name"}}, {"score", "legacy"},
                           {{"display", "pleat.new_writer_default('v', (NULL)::text)"}}};
  full.tables["plain"] = {"plain", {}, {}, {}};
  planner::ViewSpec unicode = Spec("public_03", true);
  unicode.tables["tëst"] = {"tëst_new", {{"ä", "ö"}}, {}, {}};
  const struct {
    const char* name;
    planner::ViewSpec spec;
  } cases[] = {{"no tables", plain}, {"renames, hidden, defaults, hidden tables", full}, {"unicode names", unicode}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("case: ") + c.name);
    nlohmann::json j = c.spec.ToJson();
    planner::ViewSpec back = planner::ViewSpec::FromJson(nlohmann::json::parse(j.dump()));
    ExpectSameSpec(c.spec, back);
    EXPECT_EQ(j, back.ToJson());
  }
}

TEST(ViewSpec, FromSchemaDescribesTheVersion) {
  schema::VirtualSchema after("public");
  schema::Table people{"persons", "people"};
  people.columns = {{"id", "id", "integer"}, {"full_name", "name", "text"}};
  people.hidden = {{"score", std::string("0")}};
  after.AddTable(people);
  after.AddTable(schema::Table{"gone", "gone"});
  after.RemoveTable("gone");
  planner::ViewSpec got = planner::ViewSpec::FromSchema(after, "public_02", "pleat", /*mark=*/true);
  planner::ViewSpec want = Spec("public_02", true);
  want.hidden_tables = {"gone"};
  want.tables["people"] = {"persons", {{"name", "full_name"}}, {"score"}, {}};
  ExpectSameSpec(want, got);
}

TEST(ViewSpec, BuildViewsSqlShowsWhatTheSpecSays) {
  std::string url = testing::NewDatabase();
  pg::Connection conn = testing::Connect(url);
  testing::Exec(&conn, "CREATE SCHEMA pleat; CREATE FUNCTION pleat.mark(text) RETURNS boolean LANGUAGE sql STABLE "
                       "AS 'SELECT true'; CREATE TABLE people (id int PRIMARY KEY, name text, score int); "
                       "CREATE TABLE gone (id int); CREATE TABLE other (id int)");
  const struct {
    const char* name;
    bool mark;
  } cases[] = {{"marked", true}, {"plain", false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("case: ") + c.name);
    planner::ViewSpec spec = Spec(std::string("v_") + c.name, c.mark);
    spec.hidden_tables = {"gone"};
    spec.tables["people"] = {"persons", {{"name", "full_name"}}, {"score"}, {{"name", "'nobody'"}}};
    std::vector<std::string> sql;
    ASSERT_TRUE(planner::BuildViewsSql(&conn, spec, &sql).ok());
    for (const auto& statement : sql) testing::Exec(&conn, statement);
    std::string vs = spec.version_schema;
    EXPECT_EQ("other|id\npersons|id,full_name",
              testing::Rows(&conn, "SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                                   "information_schema.columns WHERE table_schema = '" + vs + "' GROUP BY 1 ORDER BY 1"));
    testing::Exec(&conn, "INSERT INTO " + vs + ".persons (id) VALUES (" + std::to_string(c.mark ? 1 : 2) + ")");
    EXPECT_EQ(c.mark ? "2" : "0", testing::Value(&conn, "SELECT count(*) FROM pg_views WHERE schemaname = '" + vs +
                                                            "' AND definition LIKE '%mark(%'"));
  }
  EXPECT_EQ("1|nobody\n2|nobody", testing::Rows(&conn, "SELECT id, name FROM people ORDER BY id"))
      << "the view default fills the renamed column";
}

}  // namespace
}  // namespace pleat::engine
