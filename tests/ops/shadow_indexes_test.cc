// Plain indexes on a column a shadow replaces are rebuilt on the shadow and end
// up exactly as they were (definition and name) after complete.
#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kIndexDefs =
    "SELECT string_agg(pg_get_indexdef(indexrelid), E'\\n' ORDER BY indexrelid::regclass::text) FROM pg_index "
    "WHERE indrelid = 'fruits'::regclass";

TEST(ShadowIndexes, RebuiltOnTheShadowAndRenamedBack) {
  static std::string before_defs;
  OpCase c{
      .name = "indexes_follow_a_replaced_column",
      .setup_migrations = {R"(
operations:
  - create_table:
      name: fruits
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: varchar(255)}
        - {name: size, type: int, nullable: true}
)"},
      .setup_sql = "INSERT INTO fruits (name, size) SELECT 'f' || g, g FROM generate_series(1, 300) g;"
                   "CREATE INDEX idx_name_desc ON fruits (name DESC NULLS LAST) WHERE size > 10;"
                   "CREATE INDEX idx_name_hash ON fruits USING hash (name) WITH (fillfactor = 70);"
                   "CREATE UNIQUE INDEX idx_name_unique ON fruits (name COLLATE \"C\" text_pattern_ops) INCLUDE (size);"
                   "CREATE INDEX idx_size_only ON fruits (size)",
      .migration = R"(
operations:
  - alter_column:
      table: fruits
      column: name
      nullable: true
      up: SELECT CASE WHEN name IS NULL THEN 'unknown fruit' ELSE name END
      down: coalesce(name, 'unknown fruit')
)",
      .after_start =
          [](CaseContext& c) {
            before_defs = c.Value(kIndexDefs);
            // the rebuilt unique index already holds for new writes through both versions
            c.ExecFails("INSERT INTO " + c.new_schema + ".fruits (name, size) VALUES ('f1', 1)", "duplicate key");
            c.ExecFails("INSERT INTO fruits (name, size) VALUES ('f2', 2)", "duplicate key");
            c.Exec("INSERT INTO " + c.new_schema + ".fruits (name, size) VALUES (NULL, 5)");
          },
      .after_complete =
          [](CaseContext& c) {
            std::string defs = c.Value(kIndexDefs);
            for (const char* expected :
                 {"CREATE INDEX idx_name_desc ON public.fruits USING btree (name DESC NULLS LAST) WHERE (size > 10)",
                  "CREATE INDEX idx_name_hash ON public.fruits USING hash (name) WITH (fillfactor='70')",
                  "CREATE UNIQUE INDEX idx_name_unique ON public.fruits USING btree (name COLLATE \"C\" text_pattern_ops) "
                  "INCLUDE (size)",
                  "CREATE INDEX idx_size_only ON public.fruits USING btree (size)"})
              EXPECT_NE(defs.find(expected), std::string::npos) << expected << "\nin:\n" << defs;
            EXPECT_EQ("t", c.Value("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'fruits'::regclass"));
          },
  };
  RunOpCase(c);
}

// Indexes on expressions over a replaced column are rebuilt on the shadow with
// their expressions, opclasses, order, predicates and storage parameters, and
// end up with the definitions they had.
TEST(ShadowIndexes, ExpressionIndexesRebuiltOnTheShadow) {
  const char* kDefs =
      "SELECT string_agg(indexrelid::regclass::text || ': ' || pg_get_indexdef(indexrelid), E'\\n' ORDER BY "
      "indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'fruits'::regclass";
  OpCase c{
      .name = "expression_indexes_follow_a_retyped_column",
      .setup_migrations = {R"(
operations:
  - create_table:
      name: fruits
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: varchar(255)}
        - {name: size, type: int, nullable: true}
)"},
      .setup_sql = "INSERT INTO fruits (name, size) SELECT 'F' || g, g FROM generate_series(1, 300) g;"
                   "CREATE INDEX idx_lower ON fruits (lower(name) text_pattern_ops DESC) WHERE size > 10 AND name <> '';"
                   "CREATE UNIQUE INDEX idx_double ON fruits ((size * 2)) WITH (fillfactor = 80);"
                   "CREATE INDEX idx_mixed ON fruits (size, (name || size::text)) INCLUDE (id);"
                   "CREATE TABLE defs_before AS SELECT (" + std::string(kDefs) + ") AS defs",
      .migration = R"(
operations:
  - alter_column: {table: fruits, column: size, type: bigint, up: size * 10, down: (size / 10)::int}
)",
      .after_start =
          [=](CaseContext& c) {
            EXPECT_EQ("3", c.Value("SELECT count(*) FROM pg_index JOIN pg_class ON oid = indexrelid WHERE indrelid = "
                                   "'fruits'::regclass AND relname LIKE '_pleat_ix%' AND indisvalid"));
            EXPECT_EQ("1", c.Value("SELECT count(*) FROM pg_index WHERE indrelid = 'fruits'::regclass AND "
                                   "pg_get_indexdef(indexrelid) LIKE '%UNIQUE%((_pleat_new_size * 2))%fillfactor%'"));
            c.ExecFails("INSERT INTO " + c.new_schema + ".fruits (name, size) VALUES ('x', 20)", "duplicate key");
            c.Exec("INSERT INTO " + c.old_schema + ".fruits (name, size) VALUES ('fig', 400)");
            EXPECT_EQ("4000", c.Value("SELECT size FROM " + c.new_schema + ".fruits WHERE name = 'fig'"));
            EXPECT_EQ("1", c.Value("SELECT count(*) FROM fruits WHERE lower(name) = 'fig' AND size > 10 AND name <> ''"));
          },
      .after_complete =
          [=](CaseContext& c) {
            EXPECT_EQ(c.Value("SELECT defs FROM defs_before"), c.Value(kDefs));
            EXPECT_EQ("t", c.Value("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'fruits'::regclass"));
            EXPECT_EQ("bigint", c.Value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                        "'fruits'::regclass AND attname = 'size'"));
          },
  };
  RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
