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

const char* kRows = "CREATE INDEX fruits_name ON fruits (name); INSERT INTO fruits (name) VALUES ('apple')";

std::string Set(const std::string& identity) {
  return "operations:\n  - set_replica_identity:\n      table: fruits\n      identity: " + identity + "\n";
}

std::string Identity(CaseContext& c) {
  return c.Value("SELECT relreplident::text || coalesce((SELECT ':' || indexrelid::regclass FROM pg_index WHERE indrelid = "
                 "'fruits'::regclass AND indisreplident), '') FROM pg_class WHERE oid = 'fruits'::regclass");
}

// Both versions keep reading and writing the table while the identity is set.
void ReadsAndWrites(CaseContext& c) {
  c.Exec("INSERT INTO " + c.old_schema + ".fruits (name) VALUES ('pear')");
  c.Exec("INSERT INTO " + c.new_schema + ".fruits (name) VALUES ('plum')");
  c.Exec("UPDATE " + c.new_schema + ".fruits SET name = 'apricot' WHERE name = 'apple'");
  EXPECT_EQ("apricot\npear\nplum", c.Rows("SELECT name FROM " + c.old_schema + ".fruits ORDER BY id"));
}

OpCase SetCase(const std::string& name, const std::string& setup, const std::string& identity,
               const std::string& before, const std::string& after) {
  return {.name = name,
          .setup_migrations = {kFruits},
          .setup_sql = std::string(kRows) + setup,
          .migration = Set(identity),
          .after_start =
              [=](CaseContext& c) {
                EXPECT_EQ(after, Identity(c));
                ReadsAndWrites(c);
              },
          .after_rollback = [=](CaseContext& c) { EXPECT_EQ(before, Identity(c)); },
          .after_complete = [=](CaseContext& c) { EXPECT_EQ(after, Identity(c)); }};
}

TEST(SetReplicaIdentity, Cases) {
  const OpCase cases[] = {
      SetCase("full", "", "{type: full, index: ''}", "d", "f"),
      SetCase("nothing", "", "{type: nothing}", "d", "n"),
      SetCase("index", "", "{type: index, index: fruits_pkey}", "d", "i:fruits_pkey"),
      SetCase("default_restores_full", "; ALTER TABLE fruits REPLICA IDENTITY FULL", "{type: DEFAULT}", "f", "d"),
      SetCase("full_restores_index", "; ALTER TABLE fruits REPLICA IDENTITY USING INDEX fruits_pkey", "{type: full}",
              "i:fruits_pkey", "f"),
      {.name = "unknown_table", .setup_migrations = {kFruits},
       .migration = "operations:\n  - set_replica_identity: {table: nope, identity: {type: full}}\n",
       .start_error = "table \"nope\" does not exist"},
      {.name = "unknown_type", .setup_migrations = {kFruits}, .migration = Set("{type: some}"),
       .start_error = "unknown replica identity type \"some\""},
      {.name = "index_without_name", .setup_migrations = {kFruits}, .migration = Set("{type: index}"),
       .start_error = "needs `index`"},
      {.name = "unknown_index", .setup_migrations = {kFruits}, .migration = Set("{type: index, index: nope}"),
       .start_error = "index \"nope\" does not exist on table \"fruits\""},
      {.name = "index_not_unique", .setup_migrations = {kFruits}, .setup_sql = kRows,
       .migration = Set("{type: index, index: fruits_name}"), .start_error = "is not unique"},
      {.name = "missing_identity", .setup_migrations = {kFruits},
       .migration = "operations:\n  - set_replica_identity: {table: fruits}\n", .start_error = "\"identity\" is required"},
      {.name = "unknown_key", .setup_migrations = {kFruits}, .migration = Set("{type: full, columns: [id]}"),
       .start_error = "unknown key \"columns\""},
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
