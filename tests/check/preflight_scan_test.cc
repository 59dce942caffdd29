// How the preflight reads a table (src/check/scan.h, table_check.h): over
// many batches that grow as they go, the counts stay exact and the examples are
// the first rows, a row that raises inside a large batch is still found, and a
// check that cannot fail for its expression reads no row at all.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "check/preflight.h"
#include "check/report.h"
#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

std::string Describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const auto& f : findings) text += check::FormatFinding(f) + "\n";
  return text;
}

const Finding* FindRule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const auto& f : findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

std::vector<Finding> Check(const Options& options, const std::string& yaml) {
  engine::Lifecycle lifecycle(options);
  MigrationFile file("02_change", yaml);
  std::vector<Finding> findings;
  nlohmann::json plans;
  Status s = lifecycle.Check(file.path(), &findings, &plans);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return findings;
}

void ExpectExamples(const Finding& f, const std::vector<std::string>& starts) {
  ASSERT_EQ(starts.size(), f.examples.size());
  for (size_t i = 0; i < starts.size(); ++i)
    EXPECT_EQ(0u, f.examples[i].rfind(starts[i], 0)) << "example " << i << ": " << f.examples[i];
}

// 100,000 rows: batches of 1,000 rows growing to 25,000, so the later rows
// are in batches larger than the first.
TEST(PreflightScan, CountsEveryMarkedRowAcrossGrowingBatches) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, email text);"
              "INSERT INTO t SELECT g, CASE WHEN g % 10 < 7 THEN NULL ELSE 'x' END FROM generate_series(1, 100000) g;");
  std::vector<Finding> findings = Check(
      OptionsFor(url), "operations:\n  - alter_column:\n      table: t\n      column: email\n      nullable: false\n"
                       "      up: email\n      down: email\n");
  const Finding* f = FindRule(findings, "not-null-violation");
  ASSERT_NE(nullptr, f) << Describe(findings);
  EXPECT_EQ(70000, f->count);
  ExpectExamples(*f, {"(\"id\")=(1)", "(\"id\")=(2)", "(\"id\")=(3)", "(\"id\")=(4)", "(\"id\")=(5)"});
}

// A batch that raises is run again in small batches, where the rows are bisected.
TEST(PreflightScan, FindsRowsThatRaiseInsideLargeBatches) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE codes (id int PRIMARY KEY, code text);"
              "INSERT INTO codes SELECT g, g::text FROM generate_series(1, 100000) g;"
              "UPDATE codes SET code = 'x' || id WHERE id IN (20, 60000, 99990);");
  std::vector<Finding> findings = Check(
      OptionsFor(url), "operations:\n  - alter_column:\n      table: codes\n      column: code\n      type: integer\n"
                       "      up: code::integer\n      down: code::text\n");
  const Finding* f = FindRule(findings, "up-raises");
  ASSERT_NE(nullptr, f) << Describe(findings);
  EXPECT_EQ(3, f->count);
  ExpectExamples(*f, {"(\"id\")=(20)", "(\"id\")=(60000)", "(\"id\")=(99990)"});
  EXPECT_EQ(nullptr, FindRule(findings, "preflight-incomplete")) << Describe(findings);
}

// Heap blocks of t read so far (pg_statio), once every pleat session of the
// database has ended: a backend writes its counters out before it leaves
// pg_stat_activity.
long long HeapBlocksRead(pg::Connection* conn) {
  for (int i = 0; i < 200 && Value(conn, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pleat' "
                                         "AND datname = current_database()") != "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return std::stoll(Value(conn, "SELECT coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0) "
                                "FROM pg_statio_user_tables WHERE relname = 't'"));
}

struct Settled {
  std::string up, type;
  bool scans;
};

TEST(PreflightScan, ReadsNoRowForChecksThatCannotFail) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b int); INSERT INTO t VALUES (1, 1, 1);");
  Exec(&conn, "SELECT pg_stat_force_next_flush()");  // this session's own reads of t, written out when it idles
  for (const Settled& c : std::vector<Settled>{{"0", "int", false},        // a constant
                                               {"\"'x'\"", "text", false},  // a constant, cast
                                               {"a", "int", false},        // a NOT NULL column of its type
                                               {"b", "int", true},         // may be NULL
                                               {"a", "bigint", true},      // cast to another type
                                               {"a + 0", "int", true},     // an operator
                                               {"random()::int", "int", true}}) {  // a function
    long long before = HeapBlocksRead(&conn);
    std::vector<Finding> findings =
        Check(OptionsFor(url), "operations:\n  - add_column:\n      table: t\n      up: " + c.up +
                                   "\n      column: {name: n, type: " + c.type + ", nullable: false}\n");
    EXPECT_EQ(c.scans, HeapBlocksRead(&conn) > before) << "up: " << c.up << " as " << c.type;
    EXPECT_FALSE(check::HasErrors(findings)) << c.up << "\n" << Describe(findings);
  }
}

// A constant that is NULL still marks every row.
TEST(PreflightScan, ANullConstantIsStillFound) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 3);");
  std::vector<Finding> findings =
      Check(OptionsFor(url), "operations:\n  - add_column:\n      table: t\n      up: 'NULL'\n"
                             "      column: {name: n, type: int, nullable: false}\n");
  const Finding* f = FindRule(findings, "not-null-violation");
  ASSERT_NE(nullptr, f) << Describe(findings);
  EXPECT_EQ(3, f->count);
}

}  // namespace
}  // namespace pleat::testing
