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
    "CREATE TYPE mood AS ENUM ('ok', 'sad');"
    "CREATE TABLE docs (id int PRIMARY KEY, body json, at point, x xml);"
    "INSERT INTO docs VALUES (1, '{}', '(1,1)', '<a/>');"
    "CREATE TABLE plain (a int, b text);";

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
    // Keys the server cannot index: no default btree operator class for a unique.
    {"UniqueAddColumnOnJson",
     "operations:\n  - add_column:\n      table: items\n"
     "      column: {name: j, type: json, nullable: true, unique: true}\n",
     {"operation 1 (add_column)", "\"items_j_key\"", "json", "btree"}},
    {"UniqueConstraintOnPoint",
     "operations:\n  - create_constraint:\n      name: docs_at_key\n      table: docs\n      type: unique\n"
     "      columns: [at]\n      up: {at: at}\n      down: {at: at}\n",
     {"operation 1 (create_constraint)", "\"docs_at_key\"", "point", "btree"}},
    {"UniqueIndexOnJson",
     "operations:\n  - create_index:\n      name: docs_body_idx\n      table: docs\n      unique: true\n"
     "      columns: [body]\n",
     {"operation 1 (create_index)", "\"docs_body_idx\"", "json", "btree"}},
    {"UniqueAlterColumnOnXml",
     "operations:\n  - alter_column:\n      table: docs\n      column: x\n      unique: {name: docs_x_key}\n"
     "      up: x\n      down: x\n",
     {"operation 1 (alter_column)", "\"docs_x_key\"", "xml", "btree"}},
    {"PrimaryKeyOnJsonInCreateTable",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n        - {name: id, type: json, pk: true}\n",
     {"operation 1 (create_table)", "primary key \"t2_pkey\"", "json"}},
    // Operator classes and collations that exist but do not fit the column.
    {"OperatorClassRejectsType",
     "operations:\n  - create_index:\n      name: items_qty_idx\n      table: items\n"
     "      columns:\n        qty: {opclass: {name: text_pattern_ops}}\n",
     {"operation 1 (create_index)", "\"items_qty_idx\"", "text_pattern_ops", "does not accept type integer"}},
    {"NoDefaultOperatorClassForMethod",
     "operations:\n  - create_index:\n      name: items_qty_idx\n      table: items\n      method: gist\n"
     "      columns: [qty]\n",
     {"operation 1 (create_index)", "\"items_qty_idx\"", "integer", "gist"}},
    {"CollationOnInteger",
     "operations:\n  - create_index:\n      name: items_qty_idx\n      table: items\n"
     "      columns:\n        qty: {collate: C}\n",
     {"operation 1 (create_index)", "\"items_qty_idx\"", "integer", "collation"}},
    {"PredicateNotImmutable",
     "operations:\n  - create_index:\n      name: items_qty_idx\n      table: items\n"
     "      columns: [qty]\n      predicate: qty > random()\n",
     {"operation 1 (create_index)", "\"items_qty_idx\"", "random", "IMMUTABLE"}},
    {"PredicateDoesNotCompile",
     "operations:\n  - create_index:\n      name: items_qty_idx\n      table: items\n"
     "      columns: [qty]\n      predicate: nosuch_fn(qty)\n",
     {"operation 1 (create_index)", "\"items_qty_idx\"", "nosuch_fn"}},
    // Defaults that compile but raise: immutable parts folded by EXPLAIN
    // everywhere; add_column's non-volatile default evaluated, as ADD COLUMN does.
    {"DefaultRaisesInAddColumn",
     "operations:\n  - add_column:\n      table: items\n"
     "      column: {name: b, type: int, nullable: true, default: \"1/0\"}\n",
     {"operation 1 (add_column)", "default of column \"items\".\"b\"", "division by zero"}},
    {"DefaultRaisesInCreateTable",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n"
     "        - {name: id, type: int, pk: true}\n        - {name: n, type: int, default: \"'abc'::text::int\"}\n",
     {"operation 1 (create_table)", "default of column \"t2\".\"n\"", "abc"}},
    {"DefaultRaisesInAlterColumn",
     "operations:\n  - alter_column:\n      table: items\n      column: qty\n      default: \"1/0\"\n",
     {"operation 1 (alter_column)", "default of column \"items\".\"qty\"", "division by zero"}},
    {"StableDefaultRaisesInAddColumn",
     "operations:\n  - add_column:\n      table: items\n"
     "      column: {name: b, type: int, nullable: true, default: \"current_setting('pleat_test.unset')::int\"}\n",
     {"operation 1 (add_column)", "default of column \"items\".\"b\"", "pleat_test.unset"}},
    // Foreign keys the server cannot build.
    {"ForeignKeyToColumnWithoutUnique",
     "operations:\n  - add_column:\n      table: items\n"
     "      column: {name: pa, type: int, nullable: true, references: {name: fk_pa, table: plain, column: a}}\n",
     {"operation 1 (add_column)", "\"fk_pa\"", "\"plain\"", "\"a\""}},
    {"ForeignKeyInCreateTableToColumnWithoutUnique",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n        - {name: id, type: int, pk: true}\n"
     "        - {name: pa, type: int, nullable: true, references: {name: fk_t2_pa, table: plain, column: a}}\n",
     {"operation 1 (create_table)", "\"fk_t2_pa\"", "\"plain\""}},
    {"ForeignKeyTypeMismatch",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n        - {name: id, type: int, pk: true}\n"
     "        - {name: item, type: text, nullable: true, references: {name: fk_t2_item, table: items, column: id}}\n",
     {"operation 1 (create_table)", "\"fk_t2_item\"", "text", "integer"}},
    {"CheckInCreateTableCallsUnknownFunction",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n        - {name: id, type: int, pk: true}\n"
     "        - {name: n, type: int, nullable: true, check: {name: n_ok, constraint: \"nosuch_fn(n) > 0\"}}\n",
     {"operation 1 (create_table)", "check \"n_ok\"", "nosuch_fn"}},
    // Names the server truncates to 63 bytes, so two of the file's names become one.
    {"LongColumnNamesCollide",
     "operations:\n  - create_table:\n      name: t2\n      columns:\n        - {name: id, type: int, pk: true}\n"
     "        - {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax, type: int, nullable: true}\n        - {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay, type: int, nullable: true}\n",
     {"operation 1 (create_table)", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", "63 bytes"}},
    {"LongColumnNamesCollideAcrossOperations",
     "operations:\n  - add_column:\n      table: plain\n      column: {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax, type: int, nullable: true}\n"
     "  - add_column:\n      table: plain\n      column: {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay, type: int, nullable: true}\n",
     {"operation 2 (add_column)", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", "63 bytes"}},
    {"LongTableNamesCollide",
     "operations:\n  - create_table:\n      name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax\n      columns:\n        - {name: id, type: int, pk: true}\n"
     "  - create_table:\n      name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay\n      columns:\n        - {name: id, type: int, pk: true}\n",
     {"operation 2 (create_table)", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay", "63 bytes"}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// check's verdict as text: its error, or its error findings.
std::string CheckErrors(const std::string& url, const std::string& path) {
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::vector<Finding> findings;
  nlohmann::json plans;
  Status s = lifecycle.Check(path, &findings, &plans);
  if (!s.ok()) return s.ToString();
  std::string text;
  for (const auto& f : findings)
    if (f.severity == Severity::kError) text += check::FormatFinding(f) + "\n";
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
                     "      columns:\n        name: {opclass: {name: pg_catalog.text_pattern_ops}, collate: \"C\"}\n"
                     // keys the server can index: enums, domains, arrays, ranges, jsonb
                     "  - create_table:\n      name: t3\n      columns:\n"
                     "        - {name: id, type: other.posint, pk: true}\n"
                     "        - {name: m, type: mood, nullable: true, unique: true}\n"
                     "        - {name: tags, type: \"text[]\", nullable: true}\n"
                     "        - {name: r, type: int4range, nullable: true}\n"
                     "        - {name: j, type: jsonb, nullable: true, unique: true}\n"
                     "        - {name: code, type: text, nullable: true, unique: true}\n"
                     "        - {name: n, type: int, nullable: true, check: {name: n_ok, constraint: \"n > 0\"}}\n"
                     "  - create_index:\n      name: t3_tags_idx\n      table: t3\n      method: gin\n      columns: [tags]\n"
                     "  - create_index:\n      name: t3_r_idx\n      table: t3\n      method: gist\n      columns: [r]\n"
                     "  - create_index:\n      name: t3_m_idx\n      table: t3\n      method: hash\n      columns: [m]\n"
                     "  - create_index:\n      name: t3_n_idx\n      table: t3\n      columns: [n]\n"
                     "      predicate: n > abs(-1)\n"
                     // foreign keys to a primary key, and to a unique column the file creates
                     "  - add_column:\n      table: plain\n"
                     "      column: {name: item, type: bigint, nullable: true, references: {name: fk_item, table: items, column: id}}\n"
                     "  - add_column:\n      table: plain\n"
                     "      column: {name: code, type: varchar(10), nullable: true, references: {name: fk_code, table: t3, column: code}}\n"
                     // defaults that are not evaluated (volatile) or evaluate fine
                     "  - add_column:\n      table: plain\n"
                     "      column: {name: at, type: timestamptz, nullable: true, default: \"now()\"}\n");
  std::string checked = CheckErrors(url, file.path());
  EXPECT_EQ("", checked);
  Status started = Start(url, file.path());
  EXPECT_TRUE(started.ok()) << started.ToString();
}

// A VOLATILE default is never evaluated by the checks: nextval would consume a
// value of the sequence, which no rollback gives back.
TEST(CheckPredictsStartKnownNames, VolatileDefaultIsNotEvaluated) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, std::string(kSetup) + "CREATE SEQUENCE s;");
  MigrationFile file("02_change",
                     "operations:\n  - add_column:\n      table: items\n"
                     "      column: {name: n, type: bigint, nullable: true, default: \"nextval('s') + 1/1\"}\n");
  EXPECT_EQ("", CheckErrors(url, file.path()));
  EXPECT_EQ("1 false", Value(&conn, "SELECT last_value || ' ' || is_called FROM s"));
}

}  // namespace
}  // namespace pleat::testing
