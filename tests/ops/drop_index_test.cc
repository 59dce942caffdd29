#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kFruits = R"(
operations:
  - create_table:
      name: fruits
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
)";

const char* kUniqueName = R"(
operations:
  - create_index: {name: idx_fruits_name, table: fruits, columns: [name], unique: true}
)";

std::string Exists(CaseContext& c) { return c.Value("SELECT to_regclass('public.idx_fruits_name') IS NOT NULL"); }

TEST(DropIndex, Cases) {
  const OpCase cases[] = {
      {.name = "kept_until_complete",
       .setup_migrations = {kFruits, kUniqueName},
       .setup_sql = "INSERT INTO fruits (name) VALUES ('apple')",
       .migration = R"(
operations:
  - drop_index: {name: idx_fruits_name}
)",
       .after_start =
           [](CaseContext& c) {
             // the old version may rely on the index, so it still holds for everyone
             EXPECT_EQ("t", Exists(c));
             c.ExecFails("INSERT INTO " + c.old_schema + ".fruits (name) VALUES ('apple')", "duplicate key");
             c.ExecFails("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('apple')", "duplicate key");
           },
       .after_rollback = [](CaseContext& c) { EXPECT_EQ("t", Exists(c)); },
       .after_complete =
           [](CaseContext& c) {
             EXPECT_EQ("f", Exists(c));
             c.Exec("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('apple')");
           }},
      {.name = "missing_index",
       .setup_migrations = {kFruits},
       .migration = "operations:\n  - drop_index: {name: nope}\n",
       .start_error = "index \"nope\" does not exist"},
      {.name = "name_stays_taken_until_complete",
       .setup_migrations = {kFruits, kUniqueName},
       .migration = R"(
operations:
  - drop_index: {name: idx_fruits_name}
  - create_index: {name: idx_fruits_name, table: fruits, columns: [id]}
)",
       .start_error = "relation named \"idx_fruits_name\" already exists"},
      {.name = "unknown_key",
       .setup_migrations = {kFruits, kUniqueName},
       .migration = "operations:\n  - drop_index: {name: idx_fruits_name, table: fruits}\n",
       .start_error = "unknown key \"table\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
