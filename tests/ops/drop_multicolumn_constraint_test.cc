#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kTickets = R"(
operations:
  - create_table:
      name: tickets
      columns:
        - {name: ticket_id, type: serial, pk: true}
        - {name: sellers_name, type: varchar(255), nullable: true}
        - {name: sellers_zip, type: integer, nullable: true}
)";

const char* kConstraints =
    "ALTER TABLE tickets ADD CONSTRAINT check_zip_name CHECK (sellers_name = 'alice' OR sellers_zip > 0);"
    "ALTER TABLE tickets ADD CONSTRAINT unique_zip_name UNIQUE (sellers_name, sellers_zip);"
    "INSERT INTO tickets (sellers_name, sellers_zip) VALUES ('bob', 1)";

std::string Drop(const std::string& name, const std::string& up_down) {
  return "operations:\n  - drop_multicolumn_constraint:\n      table: tickets\n      name: " + name + "\n" + up_down;
}

const char* kUpDown = R"(      up:
        sellers_name: sellers_name
        sellers_zip: sellers_zip
      down:
        sellers_name: sellers_name
        sellers_zip: SELECT CASE WHEN sellers_zip <= 0 THEN 1 ELSE sellers_zip END
)";

std::string Has(CaseContext& c, const std::string& name) {
  return c.Value("SELECT count(*) FROM pg_constraint WHERE conrelid = 'tickets'::regclass AND conname = '" + name + "'");
}

OpCase DropCase(const std::string& name, const std::string& bad_values) {
  std::string insert = ".tickets (sellers_name, sellers_zip) VALUES " + bad_values;
  return {.name = name,
          .setup_migrations = {kTickets},
          .setup_sql = kConstraints,
          .migration = Drop(name, kUpDown),
          .after_start =
              [=](CaseContext& c) {
                // still enforced for both versions until complete
                c.ExecFails("INSERT INTO " + c.old_schema + insert, name);
                c.ExecFails("INSERT INTO " + c.new_schema + insert, name);
                c.Exec("INSERT INTO " + c.old_schema + ".tickets (sellers_name, sellers_zip) VALUES ('carol', 2)");
                c.Exec("INSERT INTO " + c.new_schema + ".tickets (sellers_name, sellers_zip) VALUES ('dave', 3)");
                EXPECT_EQ("bob|1\ncarol|2\ndave|3",
                          c.Rows("SELECT sellers_name, sellers_zip FROM " + c.new_schema + ".tickets ORDER BY ticket_id"));
              },
          .after_rollback = [=](CaseContext& c) { EXPECT_EQ("1", Has(c, name)); },
          .after_complete =
              [=](CaseContext& c) {
                EXPECT_EQ("0", Has(c, name));
                c.Exec("INSERT INTO " + c.new_schema + insert);
              }};
}

TEST(DropMulticolumnConstraint, Cases) {
  const OpCase cases[] = {
      DropCase("check_zip_name", "('bob', -1)"),
      DropCase("unique_zip_name", "('bob', 1)"),
      {.name = "up_and_down_are_optional", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = Drop("check_zip_name", ""),
       .after_complete = [](CaseContext& c) { EXPECT_EQ("0", Has(c, "check_zip_name")); }},
      {.name = "unknown_table", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = "operations:\n  - drop_multicolumn_constraint: {table: nope, name: check_zip_name}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_constraint", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = Drop("nope", kUpDown), .start_error = "constraint \"nope\" does not exist on table \"tickets\""},
      {.name = "primary_key_is_refused", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = Drop("tickets_pkey", ""), .start_error = "cannot drop primary key constraint \"tickets_pkey\""},
      {.name = "down_names_a_column_outside_the_constraint", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = Drop("check_zip_name", "      down: {ticket_id: ticket_id}\n"),
       .start_error = "names column \"ticket_id\", which constraint \"check_zip_name\""},
      {.name = "up_is_not_a_mapping", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = Drop("check_zip_name", "      up: sellers_name\n"), .start_error = "must be a mapping"},
      {.name = "unknown_key", .setup_migrations = {kTickets}, .setup_sql = kConstraints,
       .migration = Drop("check_zip_name", "      columns: [sellers_name]\n"), .start_error = "unknown key \"columns\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
