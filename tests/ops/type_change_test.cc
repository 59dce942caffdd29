// Type changes PostgreSQL makes without a rewrite take no shadow column: the
// table and its indexes keep their files (pg_class.relfilenode), existing rows
// keep their xmin through start and complete, writes through both versions
// survive, and the column has its new type after complete. Other type changes
// still take a shadow.
#include <gtest/gtest.h>

#include "ops/type_change.h"
#include "support/op_case.h"

namespace pleat::testing {
namespace {

TEST(TypeChange, RetypesInPlace) {
  const struct {
    const char *from, *to;
    bool in_place;
  } cases[] = {
      {"character varying(10)", "varchar(20)", true},
      {"character varying(10)", "VARCHAR(10)", true},
      {"character varying(10)", "text", true},
      {"character varying(10)", "character varying", true},
      {"text", "varchar", true},
      {"numeric(10,2)", "numeric(12,2)", true},
      {"numeric(10,2)", "decimal", true},
      {"numeric(10)", "numeric(12,0)", true},
      {"bit varying(5)", "varbit(8)", true},
      {"timestamp(3) without time zone", "timestamp(5)", true},
      {"timestamp(3) with time zone", "timestamptz", true},
      {"time(3) without time zone", "time(6)", true},
      {"integer[]", "int4[]", true},
      {"character varying(10)", "varchar(5)", false},
      {"text", "varchar(100)", false},
      {"numeric(10,2)", "numeric(12,3)", false},
      {"numeric", "numeric(12,2)", false},
      {"character(3)", "character(5)", false},
      {"integer", "bigint", false},
      {"character varying(10)[]", "varchar(20)[]", false},
      {"text", "public.text", false},
      {"text", "text); DROP TABLE x; --", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(c.in_place, ops::RetypesInPlace(c.from, c.to)) << c.from << " -> " << c.to;
}

TEST(TypeChange, IsColumnOrCast) {
  const struct {
    const char *expression, *cast_to;
    bool expected;
  } cases[] = {
      {"name", "", true},           {"\"name\"", "", true},
      {"name::text", "", true},     {"CAST(name AS varchar(20))", "character varying(20)", true},
      {"name::text", "varchar", false}, {"upper(name)", "", false},
      {"other", "", false},         {"name || ''", "", false},
      {"name FROM t", "", false},   {"name, name", "", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(c.expected, ops::IsColumnOrCast(c.expression, {"name"}, c.cast_to)) << c.expression;
}

const char* kItems = R"y(
operations:
  - create_table:
      name: items
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: varchar(10)}
        - {name: price, type: "numeric(8,2)", nullable: true}
)y";

// The table's and its indexes' files, the column count and the seed rows' xmin.
const char* kFootprint =
    "SELECT (SELECT string_agg(relname || '=' || relfilenode, ',' ORDER BY relname) FROM pg_class WHERE oid = "
    "'items'::regclass OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'items'::regclass)) || '|' || "
    "(SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0) || '|' || "
    "(SELECT string_agg(id || ':' || xmin, ',' ORDER BY id) FROM items WHERE id <= 2)";

const std::string kSetup =
    "CREATE INDEX items_name ON items (name); CREATE INDEX items_price ON items (price);"
    "INSERT INTO items (name, price) VALUES ('apple', 1.50), ('pear', 20.25);"
    "CREATE TABLE baseline AS " + std::string(kFootprint) + " AS footprint";

std::string Types(CaseContext& c, const std::string& table) {
  return c.Rows("SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" +
                table + "'::regclass AND attnum > 1 AND NOT attisdropped ORDER BY attnum");
}

TEST(TypeChange, WideningTakesNoShadowAndRewritesNothing) {
  const OpCase cases[] = {
      {.name = "varchar_and_numeric_widened",
       .setup_migrations = {kItems},
       .setup_sql = kSetup,
       .migration = R"y(
operations:
  - alter_column: {table: items, column: name, type: varchar(40), up: name, down: name}
  - alter_column: {table: items, column: price, type: "numeric(12,2)", up: "CAST(price AS numeric(12,2))", down: price}
)y",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ(c.Value("SELECT footprint FROM baseline"), c.Value(kFootprint));
             EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'items'::regclass"));
             c.Exec("INSERT INTO " + c.old_schema + ".items (name, price) VALUES ('fig', 3)");
             c.Exec("INSERT INTO " + c.new_schema + ".items (name, price) VALUES ('kiwi', 4.75)");
             c.Exec("UPDATE " + c.new_schema + ".items SET price = 2 WHERE name = 'fig'");
             // Until complete the column keeps its old, narrower type, so a rollback loses nothing.
             c.ExecFails("INSERT INTO " + c.new_schema + ".items (name) VALUES ('much too long a name')", "too long");
             EXPECT_EQ("apple|1.50\npear|20.25\nfig|2.00\nkiwi|4.75",
                       c.Rows("SELECT name, price FROM " + c.old_schema + ".items ORDER BY id"));
             EXPECT_EQ(c.Rows("SELECT * FROM " + c.old_schema + ".items ORDER BY id"),
                       c.Rows("SELECT * FROM " + c.new_schema + ".items ORDER BY id"));
           },
       .after_rollback =
           [](CaseContext& c) { EXPECT_EQ("name character varying(10)\nprice numeric(8,2)", Types(c, "items")); },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ(c.Value("SELECT footprint FROM baseline"), c.Value(kFootprint));
             EXPECT_EQ("name character varying(40)\nprice numeric(12,2)", Types(c, "items"));
             EXPECT_EQ("name character varying(40)\nprice numeric(12,2)", Types(c, c.new_schema + ".items"));
             c.Exec("INSERT INTO " + c.new_schema + ".items (name, price) VALUES ('much too long a name', 1234567.89)");
             EXPECT_EQ("apple|1.50\npear|20.25\nfig|2.00\nkiwi|4.75\nmuch too long a name|1234567.89",
                       c.Rows("SELECT name, price FROM " + c.new_schema + ".items ORDER BY id"));
           }},
      {.name = "varchar_to_text_renamed_with_comment",
       .setup_migrations = {kItems},
       .setup_sql = kSetup,
       .migration = R"y(
operations:
  - alter_column: {table: items, column: name, name: title, type: text, comment: what it is, up: name::text, down: title}
)y",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ(c.Value("SELECT footprint FROM baseline"), c.Value(kFootprint));
             c.Exec("INSERT INTO " + c.new_schema + ".items (title) VALUES ('kiwi')");
             c.Exec("UPDATE " + c.old_schema + ".items SET name = 'plum' WHERE name = 'pear'");
             EXPECT_EQ("apple\nplum\nkiwi", c.Rows("SELECT title FROM " + c.new_schema + ".items ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("title text\nprice numeric(8,2)", Types(c, "items"));
             EXPECT_EQ("what it is", c.Value("SELECT col_description('items'::regclass, 2)"));
             EXPECT_EQ("apple\nplum\nkiwi", c.Rows("SELECT title FROM " + c.new_schema + ".items ORDER BY id"));
             EXPECT_EQ("CREATE INDEX items_name ON public.items USING btree (title)",
                       c.Value("SELECT pg_get_indexdef('items_name'::regclass)"));
           }},
      // ALTER TYPE would rebuild a partial or expression index under its lock: a shadow builds it concurrently.
      {.name = "partial_index_on_the_column_takes_a_shadow",
       .setup_migrations = {kItems},
       .setup_sql = kSetup + ";CREATE INDEX items_price_partial ON items (price) WHERE price > 0",
       .migration = "operations:\n  - alter_column: {table: items, column: price, type: numeric}\n",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("1", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname "
                                    "LIKE '_pleat_new%'"));
           },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("name character varying(10)\nprice numeric", Types(c, "items"));
             EXPECT_EQ("CREATE INDEX items_price_partial ON public.items USING btree (price) WHERE (price > (0)::numeric)",
                       c.Value("SELECT pg_get_indexdef('items_price_partial'::regclass)"));
           }},
      {.name = "narrowing_still_takes_a_shadow",
       .setup_migrations = {kItems},
       .setup_sql = kSetup,
       .migration = R"y(
operations:
  - alter_column: {table: items, column: name, type: varchar(5), up: "left(name, 5)", down: name}
)y",
       .after_start =
           [](CaseContext& c) {
             EXPECT_EQ("1", c.Value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname "
                                    "LIKE '_pleat_new%'"));
             EXPECT_EQ("apple\npear", c.Rows("SELECT name FROM " + c.new_schema + ".items ORDER BY id"));
           },
       .after_complete =
           [](CaseContext& c) { EXPECT_EQ("price numeric(8,2)\nname character varying(5)", Types(c, "items")); }},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
