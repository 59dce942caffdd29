// What applications see when a write breaks a constraint while a migration is
// active, through the old version and through the new one: the SQLSTATE, the
// constraint and column names plain DDL would report (23502 for NOT NULL,
// naming the column as the new version shows it; a new unique or check under
// the name it ends with), never one of pleat's temporary names. And the names
// those constraints end with after complete, as plain DDL would give them
// (PostgreSQL 18 names NOT NULL constraints too). Issue 12, "Names".
#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

// "sqlstate|constraint|column|table" of the error `sql` raises, "ok" when it raises none.
std::string Violation(CaseContext& c, const std::string& sql) {
  c.Exec(R"(CREATE OR REPLACE FUNCTION pg_temp.violation(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE s text; k text; col text; t text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, k = CONSTRAINT_NAME, col = COLUMN_NAME, t = TABLE_NAME;
  RETURN concat_ws('|', s, k, col, t);
END $$)");
  std::string quoted;
  for (char ch : sql) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  return c.Value("SELECT pg_temp.violation('" + quoted + "')");
}

bool Pg18(CaseContext& c) { return c.conn->ServerVersion() >= 180000; }

// The NOT NULL constraints of `table` (PostgreSQL 18 names them), "name:column,...".
std::string NotNullNames(CaseContext& c, const std::string& table) {
  return c.Value("SELECT string_agg(k.conname || ':' || a.attname, ',' ORDER BY a.attname) FROM pg_constraint k "
                 "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] WHERE k.conrelid = "
                 "'public." + table + "'::regclass AND k.contype = 'n'");
}

std::string Constraints(CaseContext& c, const std::string& table, const char* types) {
  return c.Value("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'public." +
                 table + "'::regclass AND contype = ANY (string_to_array('" + types + "', NULL))");
}

const char* kUsers = R"yaml(
operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: int, pk: true}
        - {name: name, type: text, nullable: true}
        - {name: age, type: text, nullable: true}
        - {name: price, type: int, nullable: true, check: {name: price_check, constraint: "price > 0"}}
)yaml";

const char* kSeed = "INSERT INTO users VALUES (1, 'a', '30', 5), (2, 'b', '40', 6)";

TEST(ViolationNames, AddColumnNotNullAndUnique) {
  RunOpCase({.name = "add_column_not_null_unique",
             .setup_migrations = {kUsers},
             .setup_sql = kSeed,
             .migration = R"yaml(
operations:
  - add_column:
      table: users
      up: name
      column: {name: tag, type: text, nullable: false, unique: true}
)yaml",
             .after_start =
                 [](CaseContext& c) {
                   const std::string &o = c.old_schema, &n = c.new_schema;
                   // old writers: `up` gives NULL
                   EXPECT_EQ("23502||tag|users", Violation(c, "INSERT INTO " + o + ".users (id) VALUES (3)"));
                   EXPECT_EQ("23502||tag|users", Violation(c, "UPDATE " + o + ".users SET name = NULL WHERE id = 1"));
                   // new writers
                   EXPECT_EQ("23502||tag|users", Violation(c, "INSERT INTO " + n + ".users (id, tag) VALUES (3, NULL)"));
                   EXPECT_EQ("23502||tag|users", Violation(c, "UPDATE " + n + ".users SET tag = NULL WHERE id = 1"));
                   EXPECT_EQ("23505|users_tag_key||users",
                             Violation(c, "INSERT INTO " + n + ".users (id, tag) VALUES (3, 'a')"));
                   EXPECT_EQ("23505|users_tag_key||users",
                             Violation(c, "INSERT INTO " + o + ".users (id, name) VALUES (3, 'b')"));
                   EXPECT_EQ("ok", Violation(c, "INSERT INTO " + n + ".users (id, name, tag) VALUES (3, 'c', 'c')"));
                 },
             .after_complete =
                 [](CaseContext& c) {
                   EXPECT_EQ("23502||tag|users",
                             Violation(c, "INSERT INTO " + c.new_schema + ".users (id, tag) VALUES (9, NULL)"));
                   EXPECT_EQ("users_pkey,users_tag_key", Constraints(c, "users", "u,p"));
                   if (Pg18(c)) EXPECT_EQ("users_id_not_null:id,users_tag_not_null:tag", NotNullNames(c, "users"));
                 }});
}

// A shadow (type change, NOT NULL, a new unique and check) and a check rebuilt on one.
TEST(ViolationNames, AlterColumnShadows) {
  RunOpCase({.name = "alter_column_shadows",
             .setup_migrations = {kUsers},
             .setup_sql = kSeed,
             .migration = R"yaml(
operations:
  - alter_column:
      table: users
      column: age
      type: integer
      nullable: false
      unique: {name: users_age_uq}
      check: {name: age_positive, constraint: "age > 0"}
      up: age::integer
      down: age::text
  - alter_column: {table: users, column: price, type: bigint, up: price, down: price}
)yaml",
             .after_start =
                 [](CaseContext& c) {
                   const std::string &o = c.old_schema, &n = c.new_schema;
                   EXPECT_EQ("23502||age|users", Violation(c, "INSERT INTO " + o + ".users (id) VALUES (3)"));
                   EXPECT_EQ("23502||age|users", Violation(c, "INSERT INTO " + n + ".users (id) VALUES (3)"));
                   EXPECT_EQ("23502||age|users", Violation(c, "UPDATE " + n + ".users SET age = NULL"));
                   EXPECT_EQ("23505|users_age_uq||users", Violation(c, "INSERT INTO " + o + ".users VALUES (3, 'c', '30')"));
                   EXPECT_EQ("23505|users_age_uq||users", Violation(c, "INSERT INTO " + n + ".users VALUES (3, 'c', 30)"));
                   EXPECT_EQ("23514|age_positive||users", Violation(c, "INSERT INTO " + o + ".users VALUES (3, 'c', '-1')"));
                   EXPECT_EQ("23514|age_positive||users", Violation(c, "INSERT INTO " + n + ".users VALUES (3, 'c', -1)"));
                   // price_check, rebuilt on price's shadow, is reported under its own name
                   EXPECT_EQ("23514|price_check||users",
                             Violation(c, "INSERT INTO " + o + ".users VALUES (3, 'c', '50', -1)"));
                   EXPECT_EQ("23514|price_check||users",
                             Violation(c, "INSERT INTO " + n + ".users VALUES (3, 'c', 50, -1)"));
                 },
             .after_complete =
                 [](CaseContext& c) {
                   EXPECT_EQ("23502||age|users", Violation(c, "INSERT INTO " + c.new_schema + ".users (id) VALUES (3)"));
                   EXPECT_EQ("age_positive,price_check,users_age_uq,users_pkey", Constraints(c, "users", "u,p,c"));
                   if (Pg18(c)) EXPECT_EQ("users_age_not_null:age,users_id_not_null:id", NotNullNames(c, "users"));
                 }});
}

// rename_table then changes of the renamed table: the names end as plain DDL
// gives them after the rename (customers_...), not after the old name.
TEST(ViolationNames, NamesAfterRenameTable) {
  RunOpCase({.name = "rename_table_then_add_and_alter",
             .setup_migrations = {kUsers},
             .setup_sql = kSeed,
             .migration = R"yaml(
operations:
  - rename_table: {from: users, to: customers}
  - add_column:
      table: customers
      up: name
      column: {name: tag, type: text, nullable: false, unique: true}
  - add_column:
      table: customers
      column: {name: flag, type: boolean, nullable: false, default: "false"}
  - alter_column: {table: customers, column: name, nullable: false, up: "coalesce(name, '')", down: name}
)yaml",
             .after_start =
                 [](CaseContext& c) {
                   const std::string& n = c.new_schema;
                   EXPECT_EQ("23505|customers_tag_key||users",
                             Violation(c, "INSERT INTO " + n + ".customers (id, name, tag) VALUES (3, 'c', 'a')"));
                   EXPECT_EQ("23502||tag|customers",
                             Violation(c, "INSERT INTO " + n + ".customers (id, name, tag) VALUES (3, 'c', NULL)"));
                   EXPECT_EQ("23502||name|customers",
                             Violation(c, "INSERT INTO " + n + ".customers (id, name, tag) VALUES (3, NULL, 'c')"));
                 },
             .after_complete =
                 [](CaseContext& c) {
                   EXPECT_EQ("customers_tag_key,users_pkey", Constraints(c, "customers", "u,p"));
                   if (Pg18(c))
                     EXPECT_EQ("customers_flag_not_null:flag,users_id_not_null:id,customers_name_not_null:name,"
                               "customers_tag_not_null:tag",
                               NotNullNames(c, "customers"));
                 }});
}

// PostgreSQL 18: a rebuilt NOT NULL column keeps its NOT NULL constraint's name
// (ALTER COLUMN ... TYPE keeps it); one set before a rename_table is named after
// the old table name, as plain DDL in that order names it.
TEST(ViolationNames, NotNullNamesOfRebuiltColumns) {
  RunOpCase({.name = "not_null_names_of_rebuilt_columns",
             .setup_sql = "CREATE TABLE stock (id int PRIMARY KEY, qty int CONSTRAINT qty_required NOT NULL, note text);"
                          "INSERT INTO stock VALUES (1, 5, NULL)",
             .migration = R"yaml(
operations:
  - alter_column: {table: stock, column: qty, type: bigint, up: qty, down: qty}
  - alter_column: {table: stock, column: note, nullable: false, up: "coalesce(note, '')", down: note}
  - rename_table: {from: stock, to: items}
)yaml",
             .after_start =
                 [](CaseContext& c) {
                   EXPECT_EQ("23502||qty|items", Violation(c, "INSERT INTO " + c.old_schema + ".stock VALUES (2, NULL, 'x')"));
                   EXPECT_EQ("23502||qty|items", Violation(c, "INSERT INTO " + c.new_schema + ".items VALUES (2, NULL, 'x')"));
                   EXPECT_EQ("23502||note|items", Violation(c, "INSERT INTO " + c.new_schema + ".items VALUES (2, 1, NULL)"));
                 },
             .after_complete =
                 [](CaseContext& c) {
                   if (Pg18(c))
                     EXPECT_EQ("stock_id_not_null:id,stock_note_not_null:note,qty_required:qty",
                               NotNullNames(c, "items"));
                 }});
}

// PostgreSQL 18: rollback of a move gives the moved column's NOT NULL back under its own name.
TEST(ViolationNames, NotNullNameOfMovedColumnAfterRollback) {
  RunOpCase({.name = "not_null_name_of_moved_column",
             .setup_sql = "CREATE TABLE people (id int PRIMARY KEY, city text CONSTRAINT city_required NOT NULL);"
                          "CREATE TABLE cards (id int PRIMARY KEY, person_id int REFERENCES people (id));"
                          "INSERT INTO people VALUES (1, 'x'); INSERT INTO cards VALUES (1, 1)",
             .migration = "operations:\n  - move_column: {table: people, column: city, to: cards}\n",
             .after_rollback =
                 [](CaseContext& c) {
                   if (Pg18(c)) EXPECT_EQ("city_required:city,people_id_not_null:id", NotNullNames(c, "people"));
                 }});
}

// create_constraint unique: its index has the constraint's name from the start.
TEST(ViolationNames, CreateUniqueConstraint) {
  RunOpCase({.name = "create_constraint_unique",
             .setup_migrations = {kUsers},
             .setup_sql = kSeed,
             .migration = R"yaml(
operations:
  - create_constraint: {table: users, name: users_name_uq, type: unique, columns: [name], up: {name: name}, down: {name: name}}
)yaml",
             .after_start =
                 [](CaseContext& c) {
                   EXPECT_EQ("23505|users_name_uq||users",
                             Violation(c, "INSERT INTO " + c.new_schema + ".users (id, name) VALUES (3, 'a')"));
                   EXPECT_EQ("23505|users_name_uq||users",
                             Violation(c, "INSERT INTO " + c.old_schema + ".users (id, name) VALUES (3, 'a')"));
                 },
             .after_complete =
                 [](CaseContext& c) {
                   EXPECT_EQ("users_name_uq,users_pkey", Constraints(c, "users", "u,p"));
                   EXPECT_EQ("23505|users_name_uq||users",
                             Violation(c, "INSERT INTO " + c.new_schema + ".users (id, name) VALUES (3, 'a')"));
                 }});
}

}  // namespace
}  // namespace pleat::testing
