// `check` predicts `start`: for each validation that needs the catalog (types,
// defaults, operator classes, collations, INCLUDE columns, the columns `up` and
// `down` name, expressions that do not compile), `check` reports it, naming the
// operation and the object, and `start` refuses the same file before any DDL:
// the schema dump is unchanged and no migration is recorded. Names that do
// exist (enums, domains, arrays, qualified types, row types of tables the file
// creates) pass both.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/preflight.h"
#include "check/report.h"
#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char kSetup[] =
    "CREATE TABLE items (id int PRIMARY KEY, name text, qty int);"
    "INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2);"
    "CREATE SCHEMA other; CREATE DOMAIN other.posint AS int CHECK (VALUE > 0);"
    "CREATE TYPE mood AS ENUM ('ok', 'sad');";

struct Case {
  std::string name;
  std::string migration;              // YAML over kSetup
  std::vector<std::string> expected;  // all in check's error (or error finding) and in start's error
};

const std::vector<Case> kCases = {
    {"UnknownType",
     "operations:\n  - add_column:\n      table: items\n      column: {name: b, type: nosuchtype, nullable: true}\n",
     {"operation 1 (add_column)", "\"nosuchtype\"", "\"items\".\"b\""}},
    {"UnknownArrayTypeInCreateTable",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n"
     "        - {name: id, type: int, pk: true}\n        - {name: tags, type: \"nosuch[]\", nullable: true}\n",
     {"operation 1 (create_table)", "\"nosuch[]\"", "\"t2\".\"tags\""}},
    {"UnknownQualifiedType",
     "operations:\n  - add_column:\n      table: items\n      column: {name: b, type: other.nosuch, nullable: true}\n",
     {"operation 1 (add_column)", "\"other.nosuch\""}},
    {"DomainOutsideSearchPath",
     "operations:\n  - add_column:\n      table: items\n      column: {name: b, type: posint, nullable: true}\n",
     {"operation 1 (add_column)", "\"posint\"", "does not exist"}},
    {"UnknownTypeInSecondOperation",
     "operations:\n  - add_column:\n      table: items\n      column: {name: b, type: int, nullable: true}\n"
     "  - alter_column:\n      table: items\n      column: qty\n      type: nosuch\n      up: qty\n      down: qty\n",
     {"operation 2 (alter_column)", "\"nosuch\"", "\"items\".\"qty\""}},
    {"DefaultDoesNotCompile",
     "operations:\n  - add_column:\n      table: items\n"
     "      column: {name: b, type: int, nullable: true, default: \"nosuch_fn()\"}\n",
     {"operation 1 (add_column)", "default of column \"items\".\"b\"", "nosuch_fn"}},
    {"UnknownOperatorClass",
     "operations:\n  - create_index:\n      name: items_name_idx\n      table: items\n"
     "      columns:\n        name: {opclass: {name: nosuch_ops}}\n",
     {"operation 1 (create_index)", "\"items_name_idx\"", "nosuch_ops", "btree"}},
    {"OperatorClassOfAnotherMethod",
     "operations:\n  - create_index:\n      name: items_name_idx\n      table: items\n      method: gin\n"
     "      columns:\n        name: {opclass: {name: text_pattern_ops}}\n",
     {"operation 1 (create_index)", "text_pattern_ops", "gin"}},
    {"UnknownCollation",
     "operations:\n  - create_index:\n      name: items_name_idx\n      table: items\n"
     "      columns:\n        name: {collate: nosuch_coll}\n",
     {"operation 1 (create_index)", "\"items_name_idx\"", "nosuch_coll"}},
    {"UnknownIncludeColumn",
     "operations:\n  - create_constraint:\n      name: items_name_key\n      table: items\n      type: unique\n"
     "      columns: [name]\n      index_parameters: {include_columns: [nosuch]}\n",
     {"operation 1 (create_constraint)", "\"nosuch\""}},
    {"DownNamesUnknownColumn",
     "operations:\n  - alter_column:\n      table: items\n      column: qty\n      type: bigint\n"
     "      up: qty\n      down: nosuch\n",
     {"operation 1 (alter_column)", "nosuch"}},
    {"UpCallsUnknownFunction",
     "operations:\n  - add_column:\n      table: items\n      up: nosuch_fn(name)\n"
     "      column: {name: b, type: int, nullable: true}\n",
     {"operation 1 (add_column)", "nosuch_fn"}},
    {"CheckCallsUnknownFunction",
     "operations:\n  - create_constraint:\n      name: qty_ok\n      table: items\n      type: check\n"
     "      columns: [qty]\n      check: nosuch_fn(qty) > 0\n      up: {qty: qty}\n      down: {qty: qty}\n",
     {"operation 1 (create_constraint)", "nosuch_fn"}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// check's verdict as text: its error, or its error findings.
std::string CheckErrors(const std::string& url, const std::string& path) {
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::vector<check::Finding> findings;
  nlohmann::json plans;
  Status s = lifecycle.Check(path, &findings, &plans);
  if (!s.ok()) return s.ToString();
  std::string text;
  for (const auto& f : findings)
    if (f.severity == check::Severity::kError) text += check::FormatFinding(f) + "\n";
  return text;
}

Status Start(const std::string& url, const std::string& path) {
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::string version_schema;
  return lifecycle.Start(path, /*complete=*/false, &version_schema);
}

class CheckPredictsStart : public ::testing::TestWithParam<Case> {};

TEST_P(CheckPredictsStart, CheckReportsAndStartRefusesBeforeAnyDdl) {
  const Case& c = GetParam();
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kSetup);
  MigrationFile file("02_change", c.migration);
  std::string checked = CheckErrors(url, file.path());
  ASSERT_FALSE(checked.empty()) << "check found nothing";
  for (const auto& part : c.expected) EXPECT_NE(std::string::npos, checked.find(part)) << part << "\n" << checked;

  std::string dump = DumpSchema(url, "public");
  Status refused = Start(url, file.path());
  ASSERT_FALSE(refused.ok());
  std::string said = refused.ToString();
  EXPECT_NE(std::string::npos, said.find(file.path())) << said;
  for (const auto& part : c.expected) EXPECT_NE(std::string::npos, said.find(part)) << part << "\n" << said;
  EXPECT_EQ(dump, DumpSchema(url, "public"));
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.migrations"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.journal"));
}

INSTANTIATE_TEST_SUITE_P(Validations, CheckPredictsStart, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// The names the checks resolve are the server's: what exists passes.
TEST(CheckPredictsStartKnownNames, PassCheckAndStart) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kSetup);
  MigrationFile file("02_change",
                     "operations:\n"
                     "  - create_table:\n      name: t2\n      columns:\n"
                     "        - {name: id, type: bigserial, pk: true}\n"
                     "        - {name: m, type: mood, nullable: true, default: \"'ok'\"}\n"
                     "        - {name: ms, type: \"mood[]\", nullable: true}\n"
                     "        - {name: p, type: other.posint, nullable: true}\n"
                     "        - {name: v, type: \"varchar(20)\", nullable: true, default: \"now()::text\"}\n"
                     "  - add_column:\n      table: items\n"
                     "      column: {name: row, type: t2, nullable: true}\n"
                     "  - create_index:\n      name: items_name_idx\n      table: items\n"
                     "      columns:\n        name: {opclass: {name: pg_catalog.text_pattern_ops}, collate: \"C\"}\n");
  std::string checked = CheckErrors(url, file.path());
  EXPECT_EQ("", checked);
  Status started = Start(url, file.path());
  EXPECT_TRUE(started.ok()) << started.ToString();
}

}  // namespace
}  // namespace pleat::testing
