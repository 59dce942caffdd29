#include <gtest/gtest.h>

#include "support/op_case.h"

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

const char* kConstraints =
    "ALTER TABLE people ADD CONSTRAINT name_length CHECK (length(name) > 1);"
    "ALTER TABLE people ADD CONSTRAINT name_unique UNIQUE (name);"
    "INSERT INTO people (name) VALUES ('alice')";

std::string Rename(const std::string& from, const std::string& to) {
  return "operations:\n  - rename_constraint: {table: people, from: " + from + ", to: " + to + "}\n";
}

std::string Names(CaseContext& c) {
  return c.Rows("SELECT conname FROM pg_constraint WHERE conrelid = 'people'::regclass AND contype IN ('c', 'u') ORDER BY 1");
}

TEST(RenameConstraint, Cases) {
  const OpCase cases[] = {
      {.name = "check_renamed_at_complete",
       .setup_migrations = {kPeople},
       .setup_sql = kConstraints,
       .migration = Rename("name_length", "name_length_check"),
       .after_start =
           [](CaseContext& c) {
             // the old version keeps seeing the name it knows in its errors
             EXPECT_EQ("name_length\nname_unique", Names(c));
             c.ExecFails("INSERT INTO " + c.old_schema + ".people (name) VALUES ('x')", "\"name_length\"");
             c.ExecFails("INSERT INTO " + c.new_schema + ".people (name) VALUES ('x')", "\"name_length\"");
             c.Exec("INSERT INTO " + c.old_schema + ".people (name) VALUES ('bob')");
             c.Exec("INSERT INTO " + c.new_schema + ".people (name) VALUES ('carol')");
             EXPECT_EQ("alice\nbob\ncarol", c.Rows("SELECT name FROM " + c.new_schema + ".people ORDER BY id"));
           },
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("name_length\nname_unique", Names(c)); },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("name_length_check\nname_unique", Names(c));
             c.ExecFails("INSERT INTO " + c.new_schema + ".people (name) VALUES ('x')", "\"name_length_check\"");
           }},
      {.name = "unique_renames_its_index",
       .setup_migrations = {kPeople},
       .setup_sql = kConstraints,
       .migration = Rename("name_unique", "people_name_key"),
       .after_start = [](CaseContext& c) { EXPECT_EQ("t", c.Value("SELECT to_regclass('public.name_unique') IS NOT NULL")); },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("name_length\npeople_name_key", Names(c));
             EXPECT_EQ("t", c.Value("SELECT to_regclass('public.people_name_key') IS NOT NULL"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".people (name) VALUES ('alice')", "\"people_name_key\"");
           }},
      {.name = "renamed_then_dropped_in_one_migration",
       .setup_migrations = {kPeople},
       .setup_sql = kConstraints,
       .migration = Rename("name_length", "short_name") +
                    "  - drop_constraint: {table: people, name: short_name, up: name, down: name}\n",
       .after_start = [](CaseContext& c) { EXPECT_EQ("name_length\nname_unique", Names(c)); },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("name_unique", Names(c)); }},
      {.name = "after_a_table_rename",
       .setup_migrations = {kPeople},
       .setup_sql = kConstraints,
       .migration = "operations:\n  - rename_table: {from: people, to: persons}\n"
                    "  - rename_constraint: {table: persons, from: name_length, to: persons_name_check}\n",
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("name_unique\npersons_name_check",
                       c.Rows("SELECT conname FROM pg_constraint WHERE conrelid = 'persons'::regclass AND contype IN "
                              "('c', 'u') ORDER BY 1"));
           }},
      {.name = "unknown_table", .setup_migrations = {kPeople}, .setup_sql = kConstraints,
       .migration = "operations:\n  - rename_constraint: {table: nope, from: name_length, to: x}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_constraint", .setup_migrations = {kPeople}, .setup_sql = kConstraints,
       .migration = Rename("nope", "x"), .start_error = "constraint \"nope\" does not exist on table \"people\""},
      {.name = "name_taken_on_the_table", .setup_migrations = {kPeople}, .setup_sql = kConstraints,
       .migration = Rename("name_length", "name_unique"), .start_error = "already has a constraint of that name"},
      {.name = "index_name_taken", .setup_migrations = {kPeople}, .setup_sql = kConstraints + std::string(";CREATE INDEX taken ON people (id)"),
       .migration = Rename("name_unique", "taken"), .start_error = "a relation named \"taken\" already exists"},
      {.name = "unknown_key", .setup_migrations = {kPeople}, .setup_sql = kConstraints,
       .migration = "operations:\n  - rename_constraint: {table: people, from: name_length, to: x, name: y}\n",
       .start_error = "unknown key \"name\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
