#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

// The shape of pgroll's 12_create_employees_table.
const char* kEmployees = R"(
operations:
  - create_table:
      name: employees
      columns:
        - {name: id, type: serial, pk: true}
        - {name: role, type: varchar(255), comment: the role}
        - {name: team, type: text, nullable: true}
)";

std::string PhysicalColumns(CaseContext& c) {
  return c.Value("SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute "
                 "WHERE attrelid = 'public.employees'::regclass AND attnum > 0 AND NOT attisdropped");
}

void BothVersionsWrite(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  c.Exec("INSERT INTO " + o + ".employees (role) VALUES ('cook')");
  c.Exec("INSERT INTO " + n + ".employees (job_title) VALUES ('waiter')");
  c.ExecFails("SELECT job_title FROM " + o + ".employees", "does not exist");
  c.ExecFails("SELECT role FROM " + n + ".employees", "does not exist");
  c.Exec("UPDATE " + o + ".employees SET role = 'head waiter' WHERE role = 'waiter'");
  c.Exec("UPDATE " + n + ".employees SET job_title = 'chef' WHERE job_title = 'cook'");
  EXPECT_EQ("boss\nchef\nhead waiter", c.Rows("SELECT role FROM " + o + ".employees ORDER BY id"));
  EXPECT_EQ("boss\nchef\nhead waiter", c.Rows("SELECT job_title FROM " + n + ".employees ORDER BY id"));
  // nothing physical changed during the migration
  EXPECT_EQ("id|role|team", PhysicalColumns(c));
}

TEST(RenameColumn, Cases) {
  const OpCase cases[] = {
      {.name = "pgroll_13_rename",
       .setup_migrations = {kEmployees},
       .setup_sql = "INSERT INTO employees (role) VALUES ('boss')",
       .migration = "operations:\n  - rename_column: {table: employees, from: role, to: job_title}\n",
       .after_start = BothVersionsWrite,
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("id|role|team", PhysicalColumns(c)); },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("id|job_title|team", PhysicalColumns(c));
             EXPECT_EQ("the role", c.Value("SELECT col_description('employees'::regclass, 2)"));
             c.Exec("INSERT INTO " + c.new_schema + ".employees (job_title) VALUES ('porter')");
             EXPECT_EQ("boss|chef|head waiter|porter",
                       c.Value("SELECT string_agg(job_title, '|' ORDER BY id) FROM " + c.new_schema + ".employees"));
           }},
      {.name = "swap_two_names",
       .setup_migrations = {kEmployees},
       .setup_sql = "INSERT INTO employees (role, team) VALUES ('cook', 'kitchen')",
       .migration = R"(
operations:
  - rename_column: {table: employees, from: role, to: tmp}
  - rename_column: {table: employees, from: team, to: role}
  - rename_column: {table: employees, from: tmp, to: team}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("cook|kitchen", c.Rows("SELECT role, team FROM " + c.old_schema + ".employees"));
             EXPECT_EQ("kitchen|cook", c.Rows("SELECT role, team FROM " + c.new_schema + ".employees"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("id|team|role", PhysicalColumns(c));
             EXPECT_EQ("kitchen|cook", c.Rows("SELECT role, team FROM " + c.new_schema + ".employees"));
           }},
      {.name = "rename_then_add_column_with_up",
       .setup_migrations = {kEmployees},
       .setup_sql = "INSERT INTO employees (role) VALUES ('cook')",
       .migration = R"(
operations:
  - rename_column: {table: employees, from: role, to: job_title}
  - add_column:
      table: employees
      up: upper(job_title)
      column: {name: shout, type: text}
)",
       .after_start =
           [](CaseContext& c) {
             // `up` names the column as the operation sees it (renamed); it reads the physical one
             EXPECT_EQ("cook|COOK", c.Rows("SELECT job_title, shout FROM " + c.new_schema + ".employees"));
             c.Exec("INSERT INTO " + c.old_schema + ".employees (role) VALUES ('maid')");
             c.Exec("INSERT INTO " + c.new_schema + ".employees (job_title, shout) VALUES ('chef', 'Chef')");
             EXPECT_EQ("cook|COOK\nmaid|MAID\nchef|Chef", c.Rows("SELECT role, shout FROM employees ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("id|job_title|team|shout", PhysicalColumns(c));
             EXPECT_EQ("t", c.Value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'employees'::regclass "
                                    "AND attname = 'shout'"));
             EXPECT_EQ("cook|COOK", c.Rows("SELECT job_title, shout FROM " + c.new_schema + ".employees WHERE id = 1"));
           }},
      {.name = "unknown_table",
       .setup_migrations = {kEmployees},
       .migration = "operations:\n  - rename_column: {table: nope, from: role, to: job_title}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_column",
       .setup_migrations = {kEmployees},
       .migration = "operations:\n  - rename_column: {table: employees, from: nope, to: job_title}\n",
       .start_error = "column \"nope\" does not exist in table \"employees\""},
      {.name = "name_taken",
       .setup_migrations = {kEmployees},
       .migration = "operations:\n  - rename_column: {table: employees, from: role, to: team}\n",
       .start_error = "the table already has a column \"team\""},
      {.name = "unknown_key",
       .setup_migrations = {kEmployees},
       .migration = "operations:\n  - rename_column: {table: employees, from: role, to: job_title, column: role}\n",
       .start_error = "unknown key \"column\""},
      {.name = "missing_to",
       .setup_migrations = {kEmployees},
       .migration = "operations:\n  - rename_column: {table: employees, from: role}\n",
       .start_error = "\"to\" is required"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
