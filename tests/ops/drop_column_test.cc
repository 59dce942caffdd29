#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

// The shape of pgroll's 08_create_fruits_table (price NOT NULL, no default).
const char* kFruits = R"(
operations:
  - create_table:
      name: fruits
      columns:
        - name: id
          type: bigint
          pk: true
          generated: {identity: {user_specified_values: BY DEFAULT}}
        - {name: name, type: varchar(255), unique: true}
        - name: price
          type: decimal(10,2)
)";

const char* kOrders = R"(
operations:
  - create_table:
      name: orders
      columns:
        - {name: id, type: serial, pk: true}
        - {name: quantity, type: int}
        - {name: unit_price, type: int}
        - {name: total, type: int}
        - {name: note, type: text, nullable: true}
        - {name: status, type: text, default: "'open'"}
)";

std::string PhysicalColumn(CaseContext& c, const std::string& table, const std::string& column) {
  return c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public." + table +
                 "'::regclass AND attname = '" + column + "' AND NOT attisdropped");
}

void FruitsAfterStart(CaseContext& c) {
  // the old version still reads and writes the column
  EXPECT_EQ("apple|1.50", c.Rows("SELECT name, price FROM " + c.old_schema + ".fruits ORDER BY id"));
  c.Exec("INSERT INTO " + c.old_schema + ".fruits (name, price) VALUES ('banana', 2.25)");
  // the new version does not see it, and its rows get `down`
  c.ExecFails("SELECT price FROM " + c.new_schema + ".fruits", "does not exist");
  EXPECT_EQ("id|name", c.Rows("SELECT string_agg(column_name, '|' ORDER BY ordinal_position) FROM "
                              "information_schema.columns WHERE table_schema = '" + c.new_schema + "'"));
  c.Exec("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('cherry')");
  c.Exec("UPDATE " + c.old_schema + ".fruits SET price = 3 WHERE name = 'banana'");
  c.Exec("UPDATE " + c.new_schema + ".fruits SET name = 'Apple' WHERE name = 'apple'");
  EXPECT_EQ("Apple|1.50\nbanana|3.00\ncherry|0.00", c.Rows("SELECT name, price FROM fruits ORDER BY id"));
}

void OrdersAfterStart(CaseContext& c) {
  const std::string& o = c.old_schema;
  const std::string& n = c.new_schema;
  c.Exec("INSERT INTO " + n + ".orders (quantity, unit_price) VALUES (2, 5)");                  // 1: down = 10
  c.Exec("INSERT INTO " + o + ".orders (quantity, unit_price, total) VALUES (1, 1, 99)");       // 2: old keeps 99
  c.Exec("SET search_path TO " + n + "; INSERT INTO orders (quantity, unit_price) VALUES (4, 4); RESET search_path");  // 3
  EXPECT_EQ("1|10\n2|99\n3|16", c.Rows("SELECT id, total FROM orders ORDER BY id"));
  // a new write of a column `down` uses recomputes it; other new writes and all old writes leave it
  c.Exec("UPDATE " + n + ".orders SET quantity = 3 WHERE id = 1");
  c.Exec("UPDATE " + n + ".orders SET note = 'gift' WHERE id = 2");
  c.Exec("UPDATE " + o + ".orders SET quantity = 7 WHERE id = 2");
  c.Exec("UPDATE orders SET unit_price = 9 WHERE id = 3");  // the physical table: an old client
  EXPECT_EQ("1|15\n2|99\n3|16", c.Rows("SELECT id, total FROM orders ORDER BY id"));
  // the UPDATE half of an upsert through the new version recomputes too
  c.Exec("INSERT INTO " + n + ".orders (id, quantity, unit_price) VALUES (2, 2, 2) "
         "ON CONFLICT (id) DO UPDATE SET quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price");
  EXPECT_EQ("1|15\n2|4\n3|16", c.Rows("SELECT id, total FROM orders ORDER BY id"));
  EXPECT_EQ("open|open|open", c.Rows("SELECT string_agg(status, '|' ORDER BY id) FROM orders"));
}

TEST(DropColumn, Cases) {
  const OpCase cases[] = {
      {.name = "pgroll_09_not_null_with_constant_down",
       .setup_migrations = {kFruits},
       .setup_sql = "INSERT INTO fruits (name, price) VALUES ('apple', 1.5)",
       .migration = "operations:\n  - drop_column: {table: fruits, column: price, down: \"0\"}\n",
       .after_start = FruitsAfterStart,
       .after_rollback =
           [](CaseContext& c) {
             // the real (absent) default is back, and the data written meanwhile is intact
             c.ExecFails("INSERT INTO fruits (name) VALUES ('date')", "null value");
             EXPECT_EQ("Apple|1.50\nbanana|3.00\ncherry|0.00", c.Rows("SELECT name, price FROM fruits ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("0", PhysicalColumn(c, "fruits", "price"));
             c.Exec("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('elder')");
             EXPECT_EQ("Apple|banana|cherry|elder",
                       c.Value("SELECT string_agg(name, '|' ORDER BY id) FROM " + c.new_schema + ".fruits"));
           }},
      {.name = "down_over_other_columns",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: total, down: quantity * unit_price}\n",
       .after_start = OrdersAfterStart,
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("0", PhysicalColumn(c, "orders", "total"));
             EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'orders'::regclass"));
             c.Exec("INSERT INTO " + c.new_schema + ".orders (quantity, unit_price) VALUES (1, 1)");
           }},
      {.name = "down_follows_a_later_rename",
       .setup_migrations = {kOrders},
       .migration = R"(
operations:
  - drop_column: {table: orders, column: total, down: quantity * unit_price}
  - rename_column: {table: orders, from: quantity, to: qty}
)",
       .after_start =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".orders (qty, unit_price) VALUES (2, 5)");
             c.Exec("UPDATE " + c.new_schema + ".orders SET qty = 3");
             EXPECT_EQ("3|15", c.Rows("SELECT quantity, total FROM orders"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("0", PhysicalColumn(c, "orders", "total"));
             EXPECT_EQ("1", PhysicalColumn(c, "orders", "qty"));
           }},
      {.name = "without_down_new_rows_get_the_default",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: status}\n",
       .after_start =
           [](CaseContext& c) {
             c.Exec("INSERT INTO " + c.new_schema + ".orders (quantity, unit_price, total) VALUES (1, 2, 3)");
             c.Exec("INSERT INTO " + c.old_schema + ".orders (quantity, unit_price, total, status) VALUES (1, 2, 3, 'paid')");
             EXPECT_EQ("open\npaid", c.Rows("SELECT status FROM " + c.old_schema + ".orders ORDER BY id"));
             c.ExecFails("SELECT status FROM " + c.new_schema + ".orders", "does not exist");
           },
       .after_complete = [](CaseContext& c) { EXPECT_EQ("0", PhysicalColumn(c, "orders", "status")); }},
      {.name = "unknown_table",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: nope, column: total, down: \"0\"}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_column",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: nope}\n",
       .start_error = "column \"nope\" does not exist in table \"orders\""},
      {.name = "primary_key_column",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: id}\n",
       .start_error = "it is part of the primary key"},
      {.name = "not_null_without_down",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: total}\n",
       .start_error = "NOT NULL without a default, so rows the new version inserts"},
      {.name = "down_uses_the_dropped_column",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: total, down: total + 1}\n",
       .start_error = "refers to column \"total\", which table \"orders\" does not have"},
      {.name = "down_is_not_one_expression",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: total, down: \"1; DROP TABLE orders\"}\n",
       .start_error = "down of column \"total\""},
      {.name = "dropped_twice",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: note}\n  - drop_column: {table: orders, column: note}\n",
       .start_error = "column \"note\" does not exist in table \"orders\""},
      {.name = "column_added_by_the_same_migration",
       .setup_migrations = {kOrders},
       .migration = R"(
operations:
  - add_column: {table: orders, column: {name: extra, type: int, nullable: true}}
  - drop_column: {table: orders, column: extra}
)",
       .start_error = "this migration creates it"},
      {.name = "column_rebuilt_by_the_same_migration",
       .setup_migrations = {kOrders},
       .migration = R"yaml(
operations:
  - alter_column: {table: orders, column: note, type: "varchar(80)"}
  - drop_column: {table: orders, column: note}
)yaml",
       .start_error = "cannot drop column \"note\" of table \"orders\": an earlier operation of this migration rebuilds it"},
      {.name = "unknown_key",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders, column: note, up: \"1\"}\n",
       .start_error = "unknown key \"up\""},
      {.name = "missing_column_field",
       .setup_migrations = {kOrders},
       .migration = "operations:\n  - drop_column: {table: orders}\n",
       .start_error = "\"column\" is required"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
