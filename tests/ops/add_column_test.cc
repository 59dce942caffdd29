#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kUsers = R"(
operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
)";

TEST(AddColumn, Cases) {
  const OpCase cases[] = {
      {.name = "nullable_with_up",
       .setup_migrations = {kUsers},
       .setup_sql = "INSERT INTO users (name) VALUES ('alice'), ('bob')",
       .migration = R"(
operations:
  - add_column:
      table: users
      up: upper(name)
      column: {name: shout, type: text, nullable: true}
)",
       .after_start =
           [](CaseContext& c) {
             // backfilled
             EXPECT_EQ("alice|ALICE\nbob|BOB", c.Rows("SELECT name, shout FROM " + c.new_schema + ".users ORDER BY id"));
             // old writer (old version schema) gets up(); new writer keeps its own value
             c.Exec("INSERT INTO " + c.old_schema + ".users (name) VALUES ('carol')");
             c.Exec("INSERT INTO " + c.new_schema + ".users (name, shout) VALUES ('dave', 'mine')");
             c.Exec("INSERT INTO " + c.new_schema + ".users (name) VALUES ('erin')");
             EXPECT_EQ("carol|CAROL\ndave|mine\nerin|NULL",
                       c.Rows("SELECT name, shout FROM users WHERE id > 2 ORDER BY id"));
             // updates: old recomputes, new keeps
             c.Exec("UPDATE " + c.old_schema + ".users SET name = 'alicia' WHERE name = 'alice'");
             c.Exec("UPDATE " + c.new_schema + ".users SET name = 'david' WHERE name = 'dave'");
             c.Exec("UPDATE users SET name = 'robert' WHERE name = 'bob'");  // raw table: old version
             EXPECT_EQ("alicia|ALICIA\nrobert|ROBERT\ncarol|CAROL\ndavid|mine\nerin|NULL",
                       c.Rows("SELECT name, shout FROM users ORDER BY id"));
             // the old version does not see the column
             c.ExecFails("SELECT shout FROM " + c.old_schema + ".users", "does not exist");
           },
       .after_complete =
           [](CaseContext& c) {
             // the real default is back (none), and the final version reads and writes it
             EXPECT_EQ("f", c.Value("SELECT atthasdef FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'shout'"));
             c.Exec("INSERT INTO " + c.new_schema + ".users (name) VALUES ('zed')");
             // rows written through both versions before the rollback survived it; the new column was backfilled again
             EXPECT_EQ("alicia|ALICIA\nrobert|ROBERT\ncarol|CAROL\ndavid|DAVID\nerin|ERIN\nzed|NULL", c.Rows("SELECT name, shout FROM " + c.new_schema + ".users ORDER BY id"));
           }},
      // pleat's trigger functions declare PL/pgSQL variables; a column of the
      // same name read unqualified inside the `up` (in a sub-select) must not
      // clash with them (variable_conflict = error would fail every write).
      {.name = "up_reads_columns_named_like_trigger_variables",
       .setup_migrations = {kUsers},
       .setup_sql = "CREATE TABLE flags (id int PRIMARY KEY, is_new boolean, stmt text, gone boolean);"
                    "INSERT INTO flags VALUES (1, true, 'a', false), (2, false, 'b', true);"
                    "INSERT INTO users (name) VALUES ('alice')",
       .migration = R"(
operations:
  - add_column:
      table: users
      up: (SELECT count(*) FROM flags WHERE is_new AND NOT gone AND stmt <> '')::int + length(name)
      column: {name: score, type: int, nullable: true}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|6", c.Rows("SELECT name, score FROM " + c.new_schema + ".users ORDER BY id"));
             c.Exec("INSERT INTO " + c.old_schema + ".users (name) VALUES ('carol')");
             c.Exec("INSERT INTO " + c.new_schema + ".users (name, score) VALUES ('dave', 0)");
             c.Exec("UPDATE " + c.old_schema + ".users SET name = 'alicia' WHERE name = 'alice'");
             EXPECT_EQ("alicia|7\ncarol|6\ndave|0", c.Rows("SELECT name, score FROM users ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("alicia|7\ncarol|6\ndave|5", c.Rows("SELECT name, score FROM " + c.new_schema + ".users ORDER BY id"));
           }},
      {.name = "not_null_without_up_or_default_is_refused",
       .setup_migrations = {kUsers},
       .migration = R"(
operations:
  - add_column:
      table: users
      column: {name: age, type: int}
)",
       .start_error = "NOT NULL without a default"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
