#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

// The shape of pgroll's 01_create_tables (customers).
const char* kCustomers = R"(
operations:
  - create_table:
      name: customers
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: varchar(255), unique: true}
        - {name: credit_card, type: text, nullable: true}
  - create_table:
      name: bills
      columns:
        - {name: id, type: serial, pk: true}
        - {name: customer_id, type: int, references: {name: fk_bills_customer, table: customers, column: id}}
)";

std::string Relkind(CaseContext& c, const std::string& table) {
  return c.Value("SELECT coalesce((SELECT relkind::text FROM pg_class WHERE oid = to_regclass('public." + table +
                 "')), 'none')");
}

void BothVersionsWrite(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  c.Exec("INSERT INTO " + o + ".customers (name) VALUES ('bob')");
  c.Exec("INSERT INTO " + n + ".clients (name) VALUES ('carol')");
  c.ExecFails("SELECT * FROM " + o + ".clients", "does not exist");
  c.ExecFails("SELECT * FROM " + n + ".customers", "does not exist");
  c.Exec("UPDATE " + n + ".clients SET credit_card = 'visa' WHERE name = 'bob'");
  c.Exec("UPDATE " + o + ".customers SET credit_card = 'amex' WHERE name = 'carol'");
  EXPECT_EQ("alice|NULL\nbob|visa\ncarol|amex", c.Rows("SELECT name, credit_card FROM " + o + ".customers ORDER BY id"));
  EXPECT_EQ("alice|NULL\nbob|visa\ncarol|amex", c.Rows("SELECT name, credit_card FROM " + n + ".clients ORDER BY id"));
  c.Exec("SET search_path TO " + n + "; INSERT INTO clients (name) VALUES ('dave'); RESET search_path");
  // nothing physical changed during the migration
  EXPECT_EQ("r", Relkind(c, "customers"));
  EXPECT_EQ("none", Relkind(c, "clients"));
}

TEST(RenameTable, Cases) {
  const OpCase cases[] = {
      {.name = "pgroll_04_rename",
       .setup_migrations = {kCustomers},
       .setup_sql = "INSERT INTO customers (name) VALUES ('alice')",
       .migration = "operations:\n  - rename_table: {from: customers, to: clients}\n",
       .after_start = BothVersionsWrite,
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("r", Relkind(c, "customers")); },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("none", Relkind(c, "customers"));
             EXPECT_EQ("r", Relkind(c, "clients"));
             EXPECT_EQ("alice|bob|carol|dave",
                       c.Value("SELECT string_agg(name, '|' ORDER BY id) FROM " + c.new_schema + ".clients"));
             // the foreign key follows the table
             c.Exec("INSERT INTO " + c.new_schema + ".bills (customer_id) VALUES (1)");
             c.ExecFails("INSERT INTO " + c.new_schema + ".bills (customer_id) VALUES (99)", "fk_bills_customer");
           }},
      {.name = "rename_then_add_column_with_up",
       .setup_migrations = {kCustomers},
       .setup_sql = "INSERT INTO customers (name) VALUES ('alice')",
       .migration = R"(
operations:
  - rename_table: {from: customers, to: clients}
  - add_column:
      table: clients
      up: upper(name)
      column: {name: shout, type: text, unique: true, check: {name: shout_upper, constraint: shout = upper(shout)}}
  - rename_column: {table: clients, from: credit_card, to: card}
)",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("alice|ALICE", c.Rows("SELECT name, shout FROM " + c.new_schema + ".clients"));
             c.Exec("INSERT INTO " + c.old_schema + ".customers (name, credit_card) VALUES ('bob', 'visa')");
             c.Exec("INSERT INTO " + c.new_schema + ".clients (name, shout, card) VALUES ('carol', 'CAROL!', 'amex')");
             EXPECT_EQ("alice|ALICE|NULL\nbob|BOB|visa\ncarol|CAROL!|amex",
                       c.Rows("SELECT name, shout, card FROM " + c.new_schema + ".clients ORDER BY id"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".clients (name, shout) VALUES ('x', 'x')", "shout_upper");
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("none", Relkind(c, "customers"));
             // NOT NULL, unique and check were made final on the table before it was renamed
             EXPECT_EQ("id|name|card|shout", c.Value("SELECT string_agg(attname, '|' ORDER BY attnum) FROM pg_attribute "
                                                     "WHERE attrelid = 'clients'::regclass AND attnum > 0 AND NOT attisdropped"));
             EXPECT_EQ("t", c.Value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'clients'::regclass AND attname = 'shout'"));
             c.ExecFails("INSERT INTO " + c.new_schema + ".clients (name, shout) VALUES ('eve', 'ALICE')", "duplicate key");
             EXPECT_EQ("ALICE|BOB|CAROL", c.Value("SELECT string_agg(shout, '|' ORDER BY id) FROM " + c.new_schema + ".clients"));
           }},
      {.name = "rename_twice",
       .setup_migrations = {kCustomers},
       .migration = "operations:\n  - rename_table: {from: customers, to: clients}\n  - rename_table: {from: clients, to: patrons}\n",
       .after_start = [](CaseContext& c) { c.Exec("INSERT INTO " + c.new_schema + ".patrons (name) VALUES ('x')"); },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("r", Relkind(c, "patrons")); }},
      {.name = "unknown_table",
       .setup_migrations = {kCustomers},
       .migration = "operations:\n  - rename_table: {from: nope, to: clients}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "name_taken",
       .setup_migrations = {kCustomers},
       .migration = "operations:\n  - rename_table: {from: customers, to: bills}\n",
       .start_error = "relation named \"bills\" already exists"},
      {.name = "name_taken_by_an_index",
       .setup_migrations = {kCustomers},
       .migration = "operations:\n  - rename_table: {from: customers, to: customers_pkey}\n",
       .start_error = "relation named \"customers_pkey\" already exists"},
      {.name = "unknown_key",
       .setup_migrations = {kCustomers},
       .migration = "operations:\n  - rename_table: {from: customers, to: clients, name: customers}\n",
       .start_error = "unknown key \"name\""},
      {.name = "missing_from",
       .setup_migrations = {kCustomers},
       .migration = "operations:\n  - rename_table: {to: clients}\n",
       .start_error = "\"from\" is required"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
