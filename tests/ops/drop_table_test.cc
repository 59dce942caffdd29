#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

// The shape of pgroll's 02_create_another_table.
const char* kProducts = R"(
operations:
  - create_table:
      name: products
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: varchar(255), unique: true}
        - name: price
          type: decimal(10,2)
  - create_table:
      name: sellers
      columns:
        - {name: id, type: serial, pk: true}
)";

std::string Exists(CaseContext& c) { return c.Value("SELECT to_regclass('public.products') IS NOT NULL"); }

TEST(DropTable, Cases) {
  const OpCase cases[] = {
      {.name = "pgroll_07_drop",
       .setup_migrations = {kProducts},
       .setup_sql = "INSERT INTO products (name, price) VALUES ('pen', 1.5)",
       .migration = "operations:\n  - drop_table: {name: products}\n",
       .after_start =
           [](CaseContext& c) {
             // the old version keeps using the table; the new one does not have it
             c.Exec("INSERT INTO " + c.old_schema + ".products (name, price) VALUES ('ink', 2)");
             c.Exec("UPDATE " + c.old_schema + ".products SET price = 3 WHERE name = 'pen'");
             EXPECT_EQ("pen|3.00\nink|2.00", c.Rows("SELECT name, price FROM " + c.old_schema + ".products ORDER BY id"));
             c.ExecFails("SELECT * FROM " + c.new_schema + ".products", "does not exist");
             EXPECT_EQ("sellers", c.Value("SELECT string_agg(table_name, '|') FROM information_schema.tables "
                                          "WHERE table_schema = '" + c.new_schema + "'"));
             EXPECT_EQ("t", Exists(c));
           },
       .after_rollback =
           [](CaseContext& c) {
             EXPECT_EQ("pen|3.00\nink|2.00", c.Rows("SELECT name, price FROM products ORDER BY id"));
             c.Exec("INSERT INTO products (name, price) VALUES ('cap', 1)");
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("f", Exists(c));
             EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_class WHERE relname LIKE 'products%'"));
             c.Exec("INSERT INTO " + c.new_schema + ".sellers DEFAULT VALUES");
           }},
      {.name = "unknown_table",
       .setup_migrations = {kProducts},
       .migration = "operations:\n  - drop_table: {name: nope}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "dropped_twice",
       .setup_migrations = {kProducts},
       .migration = "operations:\n  - drop_table: {name: products}\n  - drop_table: {name: products}\n",
       .start_error = "table \"products\" does not exist"},
      {.name = "name_stays_taken_until_complete",
       .setup_migrations = {kProducts},
       .migration = R"(
operations:
  - drop_table: {name: products}
  - create_table: {name: products, columns: [{name: id, type: int}]}
)",
       .start_error = "relation named \"products\" already exists"},
      {.name = "created_by_the_same_migration",
       .setup_migrations = {kProducts},
       .migration = R"(
operations:
  - create_table: {name: extra, columns: [{name: id, type: int}]}
  - drop_table: {name: extra}
)",
       .start_error = "this migration creates it"},
      {.name = "unknown_key",
       .setup_migrations = {kProducts},
       .migration = "operations:\n  - drop_table: {name: products, table: products}\n",
       .start_error = "unknown key \"table\""},
      {.name = "missing_name",
       .setup_migrations = {kProducts},
       .migration = "operations:\n  - drop_table: {}\n",
       .start_error = "\"name\" is required"},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
