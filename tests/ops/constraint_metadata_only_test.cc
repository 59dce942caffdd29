// The metadata-only constraint operations (drop_constraint,
// drop_multicolumn_constraint, rename_constraint, set_replica_identity) add no
// column, install no trigger and touch no row: the table keeps its file
// (pg_class.relfilenode) and its columns, and existing rows keep their xmin,
// after start and after complete. A dropped constraint is still enforced for
// old-version writes during the migration and gone after complete.
#include <gtest/gtest.h>

#include "support/op_case.h"

namespace pleat::testing {
namespace {

const char* kItems = R"(
operations:
  - create_table:
      name: owners
      columns:
        - {name: id, type: serial, pk: true}
  - create_table:
      name: items
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
        - {name: owner_id, type: integer, nullable: true}
)";

// The table's file, its highest column number, existing rows' xmin and its user triggers.
const char* kFootprint =
    "SELECT (SELECT relfilenode FROM pg_class WHERE oid = 'items'::regclass) || '|' ||"
    " (SELECT max(attnum) FROM pg_attribute WHERE attrelid = 'items'::regclass) || '|' ||"
    " (SELECT string_agg(id || ':' || xmin, ',' ORDER BY id) FROM items WHERE id <= 3) || '|' ||"
    " (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'items'::regclass AND NOT tgisinternal)";

std::string Setup() {
  return "ALTER TABLE items ADD CONSTRAINT name_length CHECK (length(name) > 2);"
         "ALTER TABLE items ADD CONSTRAINT name_unique UNIQUE (name);"
         "ALTER TABLE items ADD CONSTRAINT fk_owner FOREIGN KEY (owner_id) REFERENCES owners (id);"
         "ALTER TABLE items ADD CONSTRAINT name_owner CHECK (name <> 'bad' OR owner_id IS NULL);"
         "INSERT INTO owners DEFAULT VALUES;"
         "INSERT INTO items (name, owner_id) VALUES ('one', 1), ('two', NULL), ('three', 1);"
         "CREATE TABLE baseline AS " + std::string(kFootprint) + " AS footprint";
}

void Untouched(CaseContext& c, const std::string& when) {
  EXPECT_EQ(c.Value("SELECT footprint FROM baseline"), c.Value(kFootprint)) << "after " << when;
}

// `bad` (an INSERT's column list and values) breaks constraint `name`, or is "" when nothing is dropped.
OpCase MetadataCase(const std::string& case_name, const std::string& migration, const std::string& bad,
                    const std::string& name) {
  return {.name = case_name,
          .setup_migrations = {kItems},
          .setup_sql = Setup(),
          .migration = "operations:\n" + migration,
          .after_start =
              [=](CaseContext& c) {
                Untouched(c, "start");
                if (!bad.empty()) c.ExecFails("INSERT INTO " + c.old_schema + ".items " + bad, name);
                // new rows only: the rows checked for xmin stay untouched
                c.Exec("INSERT INTO " + c.old_schema + ".items (name) VALUES ('old writer')");
                c.Exec("INSERT INTO " + c.new_schema + ".items (name) VALUES ('new writer')");
                EXPECT_EQ("5", c.Value("SELECT count(*) FROM " + c.new_schema + ".items"));
                Untouched(c, "writes during the migration");
              },
          .after_rollback = [](CaseContext& c) { Untouched(c, "rollback"); },
          .after_complete =
              [=](CaseContext& c) {
                Untouched(c, "complete");
                if (bad.empty()) return;
                EXPECT_EQ("0", c.Value("SELECT count(*) FROM pg_constraint WHERE conname = '" + name + "'"));
                c.Exec("INSERT INTO " + c.new_schema + ".items " + bad);
              }};
}

TEST(ConstraintMetadataOnly, NoColumnNoRewriteNoRowTouched) {
  const OpCase cases[] = {
      MetadataCase("drop_check", "  - drop_constraint: {table: items, name: name_length, up: name, down: name}\n",
                   "(name) VALUES ('x')", "name_length"),
      MetadataCase("drop_unique", "  - drop_constraint: {table: items, name: name_unique, up: name, down: name}\n",
                   "(name) VALUES ('one')", "name_unique"),
      MetadataCase("drop_foreign_key", "  - drop_constraint: {table: items, name: fk_owner, up: owner_id, down: owner_id}\n",
                   "(name, owner_id) VALUES ('orphan', 9)", "fk_owner"),
      MetadataCase("drop_multicolumn",
                   "  - drop_multicolumn_constraint:\n      table: items\n      name: name_owner\n"
                   "      up: {name: name, owner_id: owner_id}\n      down: {name: name, owner_id: owner_id}\n",
                   "(name, owner_id) VALUES ('bad', 1)", "name_owner"),
      MetadataCase("rename", "  - rename_constraint: {table: items, from: name_length, to: items_name_check}\n", "", ""),
      MetadataCase("replica_identity", "  - set_replica_identity: {table: items, identity: {type: full}}\n", "", ""),
      MetadataCase("all_in_one_migration",
                   "  - drop_constraint: {table: items, name: name_unique, up: name, down: name}\n"
                   "  - drop_multicolumn_constraint: {table: items, name: name_owner, down: {name: name}}\n"
                   "  - rename_constraint: {table: items, from: name_length, to: items_name_check}\n"
                   "  - set_replica_identity: {table: items, identity: {type: index, index: items_pkey}}\n",
                   "(name) VALUES ('one')", "name_unique"),
  };
  for (const auto& c : cases) RunOpCase(c);
}

}  // namespace
}  // namespace pleat::testing
