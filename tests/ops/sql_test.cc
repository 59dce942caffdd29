#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/op_case.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kPeople = R"(
operations:
  - create_table:
      name: people
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
)";

const char* kFruitSize = R"(
operations:
  - sql:
      up: CREATE TYPE fruit_size AS ENUM ('small', 'medium', 'large');
)";

TEST(Sql, Cases) {
  const OpCase cases[] = {
      {.name = "create_table_with_down",
       .setup_migrations = {kPeople},
       .migration = R"(
operations:
  - sql:
      up: CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)
      down: DROP TABLE users
)",
       .after_start =
           [](CaseContext& c) {
             // the new version's views come from the live catalog, so they show the new table
             c.Exec("INSERT INTO " + c.new_schema + ".users VALUES (1, 'alice')");
             EXPECT_EQ("1|alice", c.Rows("SELECT id, name FROM " + c.new_schema + ".users"));
             c.ExecFails("SELECT * FROM " + c.old_schema + ".users", "does not exist");
           },
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("t", c.Value("SELECT to_regclass('public.users') IS NULL")); },
       .after_complete =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".users VALUES (2, 'bob')");
             EXPECT_EQ("2|bob", c.Rows("SELECT id, name FROM " + c.new_schema + ".users"));
           }},
      {.name = "on_complete_add_column",
       .setup_migrations = {kPeople},
       .setup_sql = "INSERT INTO people (name) VALUES ('alice')",
       .migration = R"(
operations:
  - sql:
      up: ALTER TABLE people ADD COLUMN birth_date timestamp
      onComplete: true
)",
       .after_start =
           [](CaseContext& c) {
             c.ExecFails("SELECT birth_date FROM people", "does not exist");
             c.ExecFails("SELECT birth_date FROM " + c.new_schema + ".people", "does not exist");
             EXPECT_EQ("alice", c.Value("SELECT name FROM " + c.new_schema + ".people"));
           },
       .after_rollback = [](CaseContext& c) { c.ExecFails("SELECT birth_date FROM people", "does not exist"); },
       .after_complete =
           [](CaseContext& c) {
             c.Exec("UPDATE " + c.new_schema + ".people SET birth_date = '2000-01-02'");
             EXPECT_EQ("alice|2000-01-02 00:00:00",
                       c.Rows("SELECT name, birth_date FROM " + c.new_schema + ".people"));
           }},
      {.name = "several_statements",
       .setup_migrations = {kPeople},
       .migration = R"(
operations:
  - sql:
      up: |
        CREATE TABLE pets (id int PRIMARY KEY, kind text);
        -- a comment between statements
        INSERT INTO pets VALUES (1, 'cat');
      down: DROP TABLE pets; DROP TABLE IF EXISTS no_such_table
)",
       .after_start = [](CaseContext& c) { EXPECT_EQ("cat", c.Value("SELECT kind FROM " + c.new_schema + ".pets")); },
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("t", c.Value("SELECT to_regclass('public.pets') IS NULL")); },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("cat", c.Value("SELECT kind FROM " + c.new_schema + ".pets")); }},
      {.name = "create_enum_with_down",
       .setup_migrations = {kPeople},
       .migration = R"(
operations:
  - sql:
      up: CREATE TYPE fruit_size AS ENUM ('small', 'medium', 'large')
      down: DROP TYPE fruit_size
)",
       .after_start = [](CaseContext& c) { EXPECT_EQ("3", c.Value("SELECT count(*) FROM unnest(enum_range(NULL::fruit_size))")); },
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("", c.Value("SELECT typname FROM pg_type WHERE typname = 'fruit_size'")); }},
      {.name = "add_column_of_enum_created_by_sql",
       .setup_migrations = {kPeople, kFruitSize},
       .setup_sql = "INSERT INTO people (name) VALUES ('alice')",
       .migration = R"(
operations:
  - add_column:
      table: people
      column: {name: size, type: fruit_size, default: '''small'''}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|small", c.Rows("SELECT name, size FROM " + c.new_schema + ".people"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".people (name, size) VALUES ('bob', 'huge')",
                         "invalid input value for enum");
           },
       .after_complete =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".people (name, size) VALUES ('bob', 'large')");
             EXPECT_EQ("alice|small\nbob|large", c.Rows("SELECT name, size FROM " + c.new_schema + ".people ORDER BY id"));
           }},
      {.name = "failing_sql_changes_nothing",
       .setup_migrations = {kPeople},
       .migration = R"(
operations:
  - sql:
      up: CREATE TABLE pets (id int); ALTER TABLE nope ADD COLUMN x int
      down: DROP TABLE pets
)",
       .start_error = "relation \"nope\" does not exist"},
      {.name = "syntax_error_in_up",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - sql: {up: 'CREATE TABLE (id int)', down: DROP TABLE x}\n",
       .start_error = "\"up\": syntax error at or near \"(\" at line 1"},
      {.name = "syntax_error_in_down",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - sql:\n      up: CREATE TABLE x (id int)\n      down: |\n        DROP TABLE x;\n        DROP TABEL y\n",
       .start_error = "\"down\": syntax error at or near \"TABEL\" at line 2"},
      {.name = "empty_up",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - sql: {up: '-- nothing'}\n",
       .start_error = "the SQL holds no statement"},
      {.name = "missing_up",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - sql: {down: DROP TABLE x}\n",
       .start_error = "\"up\" is required"},
      {.name = "down_with_on_complete",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - sql: {up: CREATE TABLE x (id int), down: DROP TABLE x, onComplete: true}\n",
       .start_error = "\"down\" cannot be used with \"onComplete: true\""},
      {.name = "not_alone_in_its_migration",
       .setup_migrations = {kPeople},
       .migration = R"(
operations:
  - sql: {up: CREATE TABLE x (id int), down: DROP TABLE x}
  - add_column: {table: people, column: {name: age, type: int, nullable: true}}
)",
       .start_error = "a \"sql\" operation must be alone in its migration"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

// Cases the op runner cannot take: rollback without `down`, and a target schema other than public.
class SqlLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = NewDatabase();
    conn_ = Connect(url_);
    dir_ = std::filesystem::temp_directory_path() / ("pleat-sql-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  engine::Lifecycle Pleat(const std::string& schema = "public") {
    Options o;
    o.conninfo = url_;
    o.schema = schema;
    o.log = [](const std::string&) {};
    return engine::Lifecycle(o);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  std::string url_;
  pg::Connection conn_;
  std::filesystem::path dir_;
};

// Rollback cannot undo SQL without `down`: it leaves the change and says so
// (and check warned before).
TEST_F(SqlLifecycle, RollbackWithoutDownLeavesTheChangeAndSaysSo) {
  std::string vs;
  std::string path = Write("01_users.yaml", "operations:\n  - sql: {up: CREATE TABLE users (id int)}\n");
  std::vector<std::string> log;
  Options o = OptionsFor(url_, &log);
  std::vector<Finding> findings;
  nlohmann::json plans;
  ASSERT_TRUE(engine::Lifecycle(o).Check(path, &findings, &plans).ok());
  std::string rules;
  for (const auto& f : findings) rules += f.rule + " ";
  EXPECT_NE(std::string::npos, rules.find("sql-without-down")) << rules;
  ASSERT_TRUE(Pleat().Start(path, false, &vs).ok());
  Status s = engine::Lifecycle(o).Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Logged(log, "rolled back \"01_users\" except operation 1 (sql): what the raw SQL of `up` did"))
      << (log.empty() ? "" : log.back());
  EXPECT_EQ("users", Value(&conn_, "SELECT to_regclass('public.users')"));
  EXPECT_EQ("", Value(&conn_, "SELECT nspname FROM pg_namespace WHERE nspname = '" + vs + "'"));
}

TEST_F(SqlLifecycle, UnqualifiedNamesMeanTheTargetSchema) {
  Exec(&conn_, "CREATE SCHEMA app");
  std::string vs;
  std::string path = Write("01_users.yaml", "operations:\n  - sql: {up: CREATE TABLE users (id int), down: DROP TABLE users}\n");
  Status s = Pleat("app").Start(path, true, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("app.users", Value(&conn_, "SELECT to_regclass('app.users')"));
  EXPECT_EQ("", Value(&conn_, "SELECT to_regclass('public.users')"));
  EXPECT_EQ("0", Value(&conn_, "SELECT count(*) FROM " + vs + ".users"));
}

}  // namespace
}  // namespace pleat::testing
