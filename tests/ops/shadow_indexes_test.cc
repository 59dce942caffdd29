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

}  // namespace
}  // namespace pleat::testing
