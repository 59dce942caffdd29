#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kTickets = R"(
operations:
  - create_table:
      name: sellers
      columns:
        - {name: name, type: text}
        - {name: zip, type: integer, nullable: true}
      constraints:
        - {name: sellers_key, type: unique, columns: [name, zip]}
  - create_table:
      name: tickets
      columns:
        - {name: ticket_id, type: serial, pk: true}
        - {name: sellers_name, type: text, nullable: true}
        - {name: sellers_zip, type: integer, nullable: true}
)";

const char* kRows =
    "INSERT INTO sellers VALUES ('alice', 1), ('bob', 2);"
    "INSERT INTO tickets (sellers_name, sellers_zip) VALUES ('alice', 1), ('bob', -2)";

std::string Create(const std::string& body) { return "operations:\n  - create_constraint:\n      table: tickets\n" + body; }

std::string Tickets(CaseContext& c, const std::string& schema) {
  return c.Rows("SELECT sellers_name, sellers_zip FROM " + schema + ".tickets ORDER BY ticket_id");
}

std::string Constraint(CaseContext& c, const std::string& name) {
  return c.Value("SELECT contype::text || ':' || convalidated FROM pg_constraint WHERE conname = '" + name + "'");
}

const char* kCheck = R"(      name: check_zip_name
      type: check
      columns: [sellers_name, sellers_zip]
      check: sellers_name = 'alice' OR sellers_zip > 0
      up:
        sellers_name: sellers_name
        sellers_zip: SELECT CASE WHEN sellers_name <> 'alice' AND sellers_zip <= 0 THEN 123 ELSE sellers_zip END
      down:
        sellers_name: sellers_name
        sellers_zip: sellers_zip
)";

const char* kUnique = R"(      name: unique_zip_name
      type: unique
      columns: [sellers_name, sellers_zip]
      up: {sellers_name: sellers_name, sellers_zip: abs(sellers_zip)}
      down: {sellers_name: sellers_name, sellers_zip: sellers_zip}
)";

const char* kForeignKey = R"(      name: fk_sellers
      type: foreign_key
      columns: [sellers_name, sellers_zip]
      references: {table: sellers, columns: [name, zip], on_delete: CASCADE}
      up:
        sellers_name: sellers_name
        sellers_zip: SELECT CASE WHEN abs(sellers_zip) < 3 THEN abs(sellers_zip) END
      down: {sellers_name: sellers_name, sellers_zip: sellers_zip}
)";

TEST(CreateConstraint, Cases) {
  const OpCase cases[] = {
      {.name = "check_on_shadows",
       .setup_migrations = {kTickets},
       .setup_sql = kRows,
       .migration = Create(kCheck),
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|1\nbob|123", Tickets(c, c.new_schema));  // backfilled through up
             EXPECT_EQ("alice|1\nbob|-2", Tickets(c, c.old_schema));   // the old version's data is untouched
             // the old version is not broken: up makes its row valid for the new version
             c.Exec("INSERT INTO " + c.old_schema + ".tickets (sellers_name, sellers_zip) VALUES ('carol', -5)");
             c.ExecFails("INSERT INTO " + c.new_schema + ".tickets (sellers_name, sellers_zip) VALUES ('dave', -1)",
                         "check_zip_name");
             c.Exec("INSERT INTO " + c.new_schema + ".tickets (sellers_name, sellers_zip) VALUES ('erin', 7)");
             EXPECT_EQ("alice|1\nbob|-2\ncarol|-5\nerin|7", Tickets(c, c.old_schema));
             EXPECT_EQ("alice|1\nbob|123\ncarol|123\nerin|7", Tickets(c, c.new_schema));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("c:true", Constraint(c, "check_zip_name"));
             EXPECT_EQ("alice|1\nbob|123\ncarol|123\nerin|7", Tickets(c, c.new_schema));
             c.ExecFails("INSERT INTO tickets (sellers_name, sellers_zip) VALUES ('x', 0)", "check_zip_name");
           }},
      {.name = "unique_on_shadows",
       .setup_migrations = {kTickets},
       .setup_sql = kRows,
       .migration = Create(kUnique),
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|1\nbob|2", Tickets(c, c.new_schema));
             c.ExecFails("INSERT INTO " + c.new_schema + ".tickets (sellers_name, sellers_zip) VALUES ('bob', 2)", "duplicate key");
             c.ExecFails("INSERT INTO " + c.old_schema + ".tickets (sellers_name, sellers_zip) VALUES ('bob', 2)", "duplicate key");
             c.Exec("INSERT INTO " + c.old_schema + ".tickets (sellers_name, sellers_zip) VALUES ('bob', 3)");
             EXPECT_EQ("alice|1\nbob|2\nbob|3", Tickets(c, c.new_schema));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("u:true", Constraint(c, "unique_zip_name"));
             EXPECT_EQ("sellers_name,sellers_zip", c.Value("SELECT string_agg(attname, ',' ORDER BY attnum) FROM "
                                                           "pg_attribute WHERE attrelid = 'unique_zip_name'::regclass"));
             c.ExecFails("INSERT INTO tickets (sellers_name, sellers_zip) VALUES ('bob', 2)", "unique_zip_name");
           }},
      {.name = "foreign_key_on_shadows",
       .setup_migrations = {kTickets},
       .setup_sql = kRows,
       .migration = Create(kForeignKey),
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|1\nbob|2", Tickets(c, c.new_schema));
             c.Exec("INSERT INTO " + c.old_schema + ".tickets (sellers_name, sellers_zip) VALUES ('zed', 9)");
             c.ExecFails("INSERT INTO " + c.new_schema + ".tickets (sellers_name, sellers_zip) VALUES ('zed', 1)", "fk_sellers");
             EXPECT_EQ("alice|1\nbob|2\nzed|NULL", Tickets(c, c.new_schema));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("f:true", Constraint(c, "fk_sellers"));
             c.Exec("DELETE FROM sellers WHERE name = 'bob'");  // on_delete: CASCADE
             EXPECT_EQ("alice|1\nzed|NULL", Tickets(c, c.new_schema));
           }},
      {.name = "primary_key_on_a_new_table",
       .setup_migrations = {kTickets},
       .migration = R"(
operations:
  - create_table:
      name: tasks
      columns:
        - {name: id, type: serial}
        - {name: title, type: text}
  - create_constraint: {name: tasks_pkey, table: tasks, type: primary_key, columns: [id], up: {id: id}, down: {id: id}}
)",
       .after_start = [](CaseContext& c) { EXPECT_EQ("p:true", Constraint(c, "tasks_pkey")); },
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("", Constraint(c, "tasks_pkey")); },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("p:true", Constraint(c, "tasks_pkey")); }},
      {.name = "primary_key_on_shadows",
       .setup_migrations = {kTickets},
       .setup_sql = "INSERT INTO sellers VALUES ('alice', 1), ('bob', NULL)",
       .migration = "operations:\n  - create_constraint:\n      table: sellers\n      name: sellers_pkey\n"
                    "      type: primary_key\n      columns: [name, zip]\n"
                    "      up:\n        zip: coalesce(zip, 0)\n      down: {zip: zip}\n",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|1\nbob|0", c.Rows("SELECT name, zip FROM " + c.new_schema + ".sellers ORDER BY 1"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".sellers VALUES ('carol', NULL)", "null");
             c.Exec("INSERT INTO " + c.old_schema + ".sellers VALUES ('carol', NULL)");
             EXPECT_EQ("carol|0", c.Rows("SELECT name, zip FROM " + c.new_schema + ".sellers WHERE name = 'carol'"));
           },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("p:true", Constraint(c, "sellers_pkey")); }},
      {.name = "unknown_table", .setup_migrations = {kTickets},
       .migration = "operations:\n  - create_constraint: {table: nope, name: x, type: unique, columns: [a]}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_column", .setup_migrations = {kTickets},
       .migration = Create("      name: x\n      type: unique\n      columns: [nope]\n"),
       .start_error = "names column \"nope\", which table \"tickets\" does not have"},
      {.name = "name_taken", .setup_migrations = {kTickets},
       .migration = Create("      name: tickets_pkey\n      type: check\n      columns: [sellers_zip]\n      check: sellers_zip > 0\n"),
       .start_error = "constraint \"tickets_pkey\" of table \"tickets\" already exists"},
      {.name = "second_primary_key", .setup_migrations = {kTickets},
       .migration = Create("      name: pk2\n      type: primary_key\n      columns: [sellers_zip]\n"),
       .start_error = "already has a primary key"},
      {.name = "up_names_another_column", .setup_migrations = {kTickets},
       .migration = Create("      name: x\n      type: unique\n      columns: [sellers_zip]\n      up: {ticket_id: ticket_id}\n"),
       .start_error = "`up` names column \"ticket_id\""},
      {.name = "check_without_expression", .setup_migrations = {kTickets},
       .migration = Create("      name: x\n      type: check\n      columns: [sellers_zip]\n"),
       .start_error = "needs `check`"},
      {.name = "wrong_type", .setup_migrations = {kTickets},
       .migration = Create("      name: x\n      type: exclude\n      columns: [sellers_zip]\n      exclude: {elements: sellers_zip WITH =}\n"),
       .start_error = "does not take exclude constraints"},
      {.name = "unknown_key", .setup_migrations = {kTickets},
       .migration = Create("      name: x\n      type: unique\n      columns: [sellers_zip]\n      colums: [x]\n"),
       .start_error = "unknown key \"colums\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
