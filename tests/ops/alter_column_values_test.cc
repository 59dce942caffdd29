// alter_column's `up` and `down` are never silently dropped: an `up` that
// computes something takes effect (a shadow) even with the same type or none,
// and a `down` or `up` naming a column the table lacks is refused at start, as
// drop_column refuses it, instead of failing every new-version write later.
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

const char* kSeed = "INSERT INTO people (name) VALUES ('ann'), ('bob')";

OpCase UpCase(const std::string& name, const std::string& type_line) {
  return {.name = name,
          .setup_migrations = {kPeople},
          .setup_sql = kSeed,
          .migration = "operations:\n  - alter_column:\n      table: people\n      column: name\n" + type_line +
                       "      up: upper(name)\n      down: lower(name)\n",
          .after_start =
              [](CaseContext& c) {
                EXPECT_EQ("ANN\nBOB", c.Rows("SELECT name FROM " + c.new_schema + ".people ORDER BY id"));
                EXPECT_EQ("ann\nbob", c.Rows("SELECT name FROM " + c.old_schema + ".people ORDER BY id"));
                c.Exec("INSERT INTO " + c.new_schema + ".people (name) VALUES ('CY')");
                c.Exec("INSERT INTO " + c.old_schema + ".people (name) VALUES ('dee')");
                EXPECT_EQ("ann\nbob\ncy\ndee", c.Rows("SELECT name FROM " + c.old_schema + ".people ORDER BY id"));
                EXPECT_EQ("ANN\nBOB\nCY\nDEE", c.Rows("SELECT name FROM " + c.new_schema + ".people ORDER BY id"));
              },
          .after_complete =
              [](CaseContext& c) {
                EXPECT_EQ("ANN\nBOB\nCY\nDEE", c.Rows("SELECT name FROM " + c.new_schema + ".people ORDER BY id"));
                EXPECT_EQ("text", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                          "'people'::regclass AND attname = 'name'"));
              }};
}

TEST(AlterColumnValues, UpThatComputesIsApplied) {
  RunOpCase(UpCase("up_without_type", ""));
  RunOpCase(UpCase("up_with_same_type", "      type: text\n"));
  RunOpCase(UpCase("up_with_default", "      default: \"'x'\"\n"));
}

TEST(AlterColumnValues, UnknownColumnsAreRefused) {
  const OpCase cases[] = {
      {.name = "down_names_no_column",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - alter_column: {table: people, column: name, nullable: true, down: nosuch}\n",
       .start_error = "down of column \"name\" refers to column \"nosuch\", which table \"people\" does not have"},
      {.name = "down_names_no_column_with_type",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - alter_column: {table: people, column: name, type: varchar(10), up: name, "
                    "down: nosuch || name}\n",
       .start_error = "refers to column \"nosuch\""},
      {.name = "up_names_no_column",
       .setup_migrations = {kPeople},
       .migration = "operations:\n  - alter_column: {table: people, column: name, up: upper(nosuch)}\n",
       .start_error = "up of column \"name\" refers to column \"nosuch\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
