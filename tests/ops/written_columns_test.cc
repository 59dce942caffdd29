// Lint reads the columns an operation gives a type to from the operation itself
// (Operation::AddWrittenColumns): it has no database, so no virtual schema to
// read them from. This holds each operation kind to it: the columns one file of
// that kind adds or retypes in the virtual schema are the ones it reports. An
// operation that copies columns with the types they have (split_table,
// move_column) writes no type and may report fewer. A new operation kind fails
// EveryKindHasACase until it has a row here.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "migration/migration.h"
#include "ops/registry.h"
#include "planner/planner.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::ops {
namespace {

using testing::Connect;
using testing::Exec;
using testing::OptionsFor;
using Names = std::set<std::pair<std::string, std::string>>;  // (table, column) as the new version names them

constexpr const char* kSchema =
    "CREATE TABLE items (id int PRIMARY KEY, qty int, note text CONSTRAINT note_len CHECK (length(note) < 100),"
    "  a int, b int, CONSTRAINT ab_positive CHECK (a + b > 0));"
    "CREATE INDEX items_note_idx ON items (note);"
    "CREATE TABLE parts (id int PRIMARY KEY, item_id int REFERENCES items (id));";

struct Case {
  const char* key;
  const char* operation;  // YAML, one list item of `operations:`
  bool copies_types;
};

const Case kCases[] = {
    {"create_table",
     "create_table: {name: fresh, columns: [{name: id, type: bigint, pk: true}, {name: doc, type: json, nullable: true}]}",
     false},
    {"add_column", "add_column: {table: items, column: {name: extra, type: text, nullable: true}}", false},
    {"alter_column", "alter_column: {table: items, column: qty, type: bigint, up: qty, down: qty}", false},
    {"drop_column", "drop_column: {table: items, column: a}", false},
    {"rename_column", "rename_column: {table: items, from: note, to: remark}", false},
    {"rename_table", "rename_table: {from: items, to: goods}", false},
    {"drop_table", "drop_table: {name: parts}", false},
    {"create_index", "create_index: {table: items, name: items_qty_idx, columns: [qty]}", false},
    {"drop_index", "drop_index: {name: items_note_idx}", false},
    {"create_constraint",
     "create_constraint: {table: items, name: qty_positive, type: check, columns: [qty], check: qty > 0,"
     " up: {qty: qty}, down: {qty: qty}}",
     false},
    {"drop_constraint", "drop_constraint: {table: items, name: note_len, up: note, down: note}", false},
    {"drop_multicolumn_constraint",
     "drop_multicolumn_constraint: {table: items, name: ab_positive, up: {a: a, b: b}, down: {a: a, b: b}}", false},
    {"rename_constraint", "rename_constraint: {table: items, from: note_len, to: note_length}", false},
    {"set_replica_identity", "set_replica_identity: {table: items, identity: {type: full}}", false},
    {"split_table",
     "split_table: {table: items, into: [{table: item_notes, key: item_id, columns: [{from: note, name: note}]}]}",
     true},
    {"move_column", "move_column: {table: items, column: note, to: parts}", true},
    // Raw SQL: lint parses the SQL itself; nothing here to compare.
    {"sql", nullptr, false},
};

// The columns `next` shows that `before` did not have (matched by physical
// column, then by name, so a rename or a shadow of the same type is not new),
// or had with another type.
Names TypedByTheOperation(const schema::VirtualSchema& before, const schema::VirtualSchema& next) {
  Names out;
  for (const auto& physical : next.ChangedTables()) {
    const schema::Table* t = next.FindByPhysical(physical);
    if (!t) continue;
    const schema::Table* was = before.FindByPhysical(physical);
    for (const auto& c : t->columns) {
      const schema::Column* old = was ? was->FindByPhysical(c.physical) : nullptr;
      if (!old && was) old = was->FindColumn(c.name);
      if (!old || old->type != c.type) out.insert({t->name, c.name});
    }
  }
  return out;
}

TEST(WrittenColumns, EveryKindHasACase) {
  std::set<std::string> covered;
  for (const Case& c : kCases) covered.insert(c.key);
  for (const auto& key : KnownOperationKeys())
    EXPECT_TRUE(covered.count(key)) << "operation \"" << key << "\" has no case in kCases: add one";
}

TEST(WrittenColumns, EachOperationReportsTheColumnsItTypes) {
  std::string url = testing::NewDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kSchema);
  for (const Case& c : kCases) {
    if (!c.operation) continue;
    SCOPED_TRACE(c.key);
    std::string text = std::string("operations:\n  - ") + c.operation + "\n";
    migration::Migration m;
    Status s = migration::LoadMigrationText("01_case.yaml", text, &m);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(1u, m.operations.size());
    Names typed;
    auto visit = [&](size_t, const schema::VirtualSchema& before, const schema::VirtualSchema& next) {
      typed = TypedByTheOperation(before, next);
      return Status::Ok();
    };
    schema::VirtualSchema catalog, after;
    s = planner::ValidateMigration(&conn, OptionsFor(url), m, visit, &catalog, &after);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::vector<WrittenColumn> written;
    m.operations[0]->AddWrittenColumns(&written);
    Names reported;
    for (const auto& w : written) reported.insert({w.table, w.column});
    for (const auto& name : reported)
      EXPECT_TRUE(typed.count(name)) << "reports " << name.first << "." << name.second << ", which it does not type";
    if (c.copies_types) continue;
    for (const auto& name : typed)
      EXPECT_TRUE(reported.count(name)) << "types " << name.first << "." << name.second << " without reporting it";
  }
}

}  // namespace
}  // namespace pleat::ops
