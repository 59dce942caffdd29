// The preflight's promises (src/check/preflight.h): for each kind of problem,
// a table holding offending rows gives one finding with the exact count and the
// keys of the first rows; `start` then refuses and leaves the schema exactly as
// it was; once the data is fixed, the same migration checks clean and starts.
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

struct Case {
  std::string name;
  std::string setup;      // SQL: the tables and their offending rows
  std::string migration;  // YAML
  std::string rule;       // the finding expected
  long long count;
  std::vector<std::string> examples;  // how each example starts, in order
  std::string fix;        // SQL that fixes the data; "" for a warning-only case
};

const std::vector<Case> kCases = {
    {"NotNullAfterUp",
     "CREATE TABLE users (id int PRIMARY KEY, email text);"
     "INSERT INTO users VALUES (1, 'a@x'), (2, NULL), (3, 'c@x'), (4, NULL);",
     "operations:\n  - alter_column:\n      table: users\n      column: email\n      nullable: false\n"
     "      up: email\n      down: email\n",
     "not-null-violation", 2, {"(\"id\")=(2): email=NULL", "(\"id\")=(4): email=NULL"},
     "UPDATE users SET email = 'none' WHERE email IS NULL"},
    {"AddColumnNotNullUpGivesNull",
     "CREATE TABLE users (id int PRIMARY KEY, name text);"
     "INSERT INTO users VALUES (1, 'Ann'), (2, NULL), (3, 'Bo');",
     "operations:\n  - add_column:\n      table: users\n      up: lower(name)\n"
     "      column: {name: slug, type: text, nullable: false}\n",
     "not-null-violation", 1, {"(\"id\")=(2): name=NULL"}, "UPDATE users SET name = 'anon' WHERE name IS NULL"},
    {"UniqueAfterUp",
     "CREATE TABLE users (id int PRIMARY KEY, email text);"
     "INSERT INTO users VALUES (1, 'A@x'), (2, 'a@x'), (3, 'b@x'), (4, 'B@x'), (5, 'c@x'), (6, NULL), (7, NULL);",
     "operations:\n  - alter_column:\n      table: users\n      column: email\n      unique: {name: users_email_key}\n"
     "      up: lower(email)\n      down: email\n",
     "unique-violation", 2, {"(a@x) in 2 rows: (\"id\")=(1) (\"id\")=(2)", "(b@x) in 2 rows: (\"id\")=(3) (\"id\")=(4)"},
     "UPDATE users SET email = email || id WHERE id IN (2, 4)"},
    {"ForeignKeyAfterUp",
     "CREATE TABLE users (id int PRIMARY KEY);"
     "CREATE TABLE orders (id int PRIMARY KEY, user_id int);"
     "INSERT INTO users VALUES (1), (2);"
     "INSERT INTO orders VALUES (10, 1), (11, 99), (12, NULL), (13, 2), (14, 98);",
     "operations:\n  - alter_column:\n      table: orders\n      column: user_id\n"
     "      references: {name: orders_user_fk, table: users, column: id}\n      up: user_id\n      down: user_id\n",
     "foreign-key-violation", 2, {"(\"id\")=(11)", "(\"id\")=(14)"}, "DELETE FROM orders WHERE user_id > 90"},
    {"CheckAfterUp",
     "CREATE TABLE items (id int PRIMARY KEY, price int);"
     "INSERT INTO items VALUES (1, 5), (2, -1), (3, 0), (4, NULL), (5, 7);",
     "operations:\n  - alter_column:\n      table: items\n      column: price\n"
     "      check: {name: price_positive, constraint: price > 0}\n      up: price\n      down: price\n",
     "check-violation", 2, {"(\"id\")=(2)", "(\"id\")=(3)"}, "UPDATE items SET price = 1 WHERE price <= 0"},
    // add_column's own constraints (ops::Operation::AddPendingConstraints), over its `up`.
    {"AddColumnUniqueAfterUp",
     "CREATE TABLE users (id int PRIMARY KEY, email text);"
     "INSERT INTO users VALUES (1, 'A@x'), (2, 'a@x'), (3, 'b@x'), (4, NULL), (5, NULL);",
     "operations:\n  - add_column:\n      table: users\n      up: lower(email)\n"
     "      column: {name: email_key, type: text, nullable: true, unique: true}\n",
     "unique-violation", 1, {"(a@x) in 2 rows: (\"id\")=(1) (\"id\")=(2)"},
     "UPDATE users SET email = email || id WHERE id = 2"},
    {"AddColumnCheckAfterUp",
     "CREATE TABLE items (id int PRIMARY KEY, price int);"
     "INSERT INTO items VALUES (1, 5), (2, -1), (3, NULL), (4, 0);",
     "operations:\n  - add_column:\n      table: items\n      up: price * 2\n"
     "      column: {name: doubled, type: int, nullable: true,\n"
     "               check: {name: doubled_positive, constraint: doubled > 0}}\n",
     "check-violation", 2, {"(\"id\")=(2)", "(\"id\")=(4)"}, "UPDATE items SET price = 1 WHERE price <= 0"},
    {"AddColumnReferencesAfterUp",
     "CREATE TABLE users (id int PRIMARY KEY);"
     "CREATE TABLE orders (id int PRIMARY KEY, uid int);"
     "INSERT INTO users VALUES (1), (2);"
     "INSERT INTO orders VALUES (10, 1), (11, 99), (12, NULL);",
     "operations:\n  - add_column:\n      table: orders\n      up: uid\n"
     "      column: {name: user_id, type: int, nullable: true,\n"
     "               references: {name: orders_user_id_fk, table: users, column: id}}\n",
     "foreign-key-violation", 1, {"(\"id\")=(11)"}, "DELETE FROM orders WHERE uid > 90"},
    {"CreateConstraintCheck",
     "CREATE TABLE items (id int PRIMARY KEY, qty int);"
     "INSERT INTO items VALUES (1, 5), (2, -4), (3, 1);",
     "operations:\n  - create_constraint:\n      table: items\n      name: qty_positive\n      type: check\n"
     "      columns: [qty]\n      check: qty > 0\n      up: {qty: qty}\n      down: {qty: qty}\n",
     "check-violation", 1, {"(\"id\")=(2)"}, "UPDATE items SET qty = 1 WHERE qty <= 0"},
    // 2,500 rows: several batches, and bisection inside the failing ones.
    {"TypeChangeUpRaises",
     "CREATE TABLE codes (id int PRIMARY KEY, code text);"
     "INSERT INTO codes SELECT g, g::text FROM generate_series(1, 2500) g;"
     "UPDATE codes SET code = 'x' || id WHERE id IN (17, 1200, 2499);",
     "operations:\n  - alter_column:\n      table: codes\n      column: code\n      type: integer\n"
     "      up: code::integer\n      down: code::text\n",
     "up-raises", 3, {"(\"id\")=(17): code='x17' -> ", "(\"id\")=(1200): code='x1200' -> ", "(\"id\")=(2499): code='x2499' -> "},
     "UPDATE codes SET code = id::text WHERE code LIKE 'x%'"},
    {"UpDividesByZero",
     "CREATE TABLE ratios (id int PRIMARY KEY, a int, b int);"
     "INSERT INTO ratios VALUES (1, 4, 2), (2, 1, 0), (3, 9, 3);",
     "operations:\n  - add_column:\n      table: ratios\n      up: a / b\n      column: {name: q, type: int, nullable: true}\n",
     "up-raises", 1, {"(\"id\")=(2): a='1', b='0' -> division by zero"}, "UPDATE ratios SET b = 1 WHERE b = 0"},
    {"DownRaisesOnUpValues",
     "CREATE TABLE temps (id int PRIMARY KEY, v text);"
     "INSERT INTO temps VALUES (1, '5'), (2, '0'), (3, '20');",
     "operations:\n  - alter_column:\n      table: temps\n      column: v\n      type: integer\n"
     "      up: v::integer\n      down: (100 / v)::text\n",
     "down-raises", 1, {"(\"id\")=(2): v='0' -> division by zero"}, "UPDATE temps SET v = '1' WHERE v = '0'"},
    {"RoundTripChangesIsAWarning",
     "CREATE TABLE prices (id int PRIMARY KEY, p numeric);"
     "INSERT INTO prices VALUES (1, 2), (2, 1.5), (3, 7);",
     "operations:\n  - alter_column:\n      table: prices\n      column: p\n      type: integer\n"
     "      up: round(p)\n      down: p::numeric\n",
     "round-trip-changes", 1, {"(\"id\")=(2)"}, ""},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Finding* FindRule(const std::vector<Finding>& findings, const std::string& rule) {
  for (const auto& f : findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

std::string Describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const auto& f : findings) text += check::FormatFinding(f) + "\n";
  return text;
}

std::vector<Finding> Check(const std::string& url, const std::string& path) {
  engine::Lifecycle lifecycle(OptionsFor(url));
  std::vector<Finding> findings;
  nlohmann::json plans;
  Status s = lifecycle.Check(path, &findings, &plans);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(plans.contains("start") && plans.contains("complete") && plans.contains("rollback"));
  return findings;
}

Status Start(const std::string& url, const std::string& path, bool force = false) {
  Options options = OptionsFor(url);
  options.preflight.force = force;
  engine::Lifecycle lifecycle(options);
  std::string version_schema;
  return lifecycle.Start(path, /*complete=*/false, &version_schema);
}

class Preflight : public ::testing::TestWithParam<Case> {};

TEST_P(Preflight, FindsRefusesThenPassesOnceFixed) {
  const Case& c = GetParam();
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, c.setup);
  MigrationFile file("02_change", c.migration);
  std::vector<Finding> findings = Check(url, file.path());
  const Finding* f = FindRule(findings, c.rule);
  ASSERT_NE(nullptr, f) << Describe(findings);
  EXPECT_EQ(c.count, f->count) << Describe(findings);
  EXPECT_EQ(1, f->operation);
  ASSERT_EQ(c.examples.size(), f->examples.size()) << Describe(findings);
  for (size_t i = 0; i < c.examples.size(); ++i)
    EXPECT_EQ(0u, f->examples[i].rfind(c.examples[i], 0)) << "example " << i << ": " << f->examples[i];
  EXPECT_FALSE(f->fix.empty());
  if (c.fix.empty()) {  // a warning: start goes on
    EXPECT_FALSE(check::HasErrors(findings)) << Describe(findings);
    EXPECT_TRUE(Start(url, file.path()).ok());
    return;
  }
  EXPECT_TRUE(check::HasErrors(findings));
  std::string dump = DumpSchema(url, "public");
  Status refused = Start(url, file.path());
  EXPECT_EQ(Status::Code::kCheckFailed, refused.code()) << refused.ToString();
  EXPECT_EQ(1, refused.ExitCode());
  EXPECT_EQ(dump, DumpSchema(url, "public"));
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
  Exec(&conn, c.fix);
  findings = Check(url, file.path());
  EXPECT_FALSE(check::HasErrors(findings)) << Describe(findings);
  Status started = Start(url, file.path());
  EXPECT_TRUE(started.ok()) << started.ToString();
}

INSTANTIATE_TEST_SUITE_P(Kinds, Preflight, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(PreflightForce, StartsDespiteErrorsWhenForced) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kCases[0].setup);
  Exec(&conn, "UPDATE users SET email = 'x' WHERE id = 4");  // one NULL left
  MigrationFile file("02_change",
                     "operations:\n  - alter_column:\n      table: users\n      column: email\n"
                     "      nullable: false\n      up: coalesce(email, 'none')\n      down: email\n");
  EXPECT_FALSE(check::HasErrors(Check(url, file.path())));
  MigrationFile bad("02_change", kCases[0].migration);
  EXPECT_EQ(Status::Code::kCheckFailed, Start(url, bad.path()).code());
  std::vector<std::string> log;
  Options options = OptionsFor(url, &log);
  options.preflight.force = true;
  engine::Lifecycle lifecycle(options);
  std::string vs;
  Status s = lifecycle.Start(bad.path(), false, &vs);  // the backfill leaves the NULL; complete would fail
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::string all;
  for (const auto& line : log) all += line + "\n";
  EXPECT_NE(std::string::npos, all.find("--force")) << all;
  EXPECT_NE(std::string::npos, all.find("not-null-violation")) << all;
}

TEST(PreflightSample, SaysItSampled) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kCases[0].setup);
  Options options = OptionsFor(url);
  options.preflight.sample_rows = 100;
  engine::Lifecycle lifecycle(options);
  MigrationFile file("02_change", kCases[0].migration);
  std::vector<Finding> findings;
  nlohmann::json plans;
  ASSERT_TRUE(lifecycle.Check(file.path(), &findings, &plans).ok());
  EXPECT_NE(nullptr, FindRule(findings, "sampled")) << Describe(findings);
  const Finding* f = FindRule(findings, "not-null-violation");
  ASSERT_NE(nullptr, f) << Describe(findings);
  EXPECT_EQ(2, f->count);  // 4 rows: the sample is the whole table
}

TEST(PreflightTimeout, ATimeoutIsAWarningNotAnError) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 1), (2, 2);");
  Options options = OptionsFor(url);
  options.preflight.statement_timeout_ms = 500;
  engine::Lifecycle lifecycle(options);
  MigrationFile file("02_slow", "operations:\n  - add_column:\n      table: t\n      up: v + length(pg_sleep(3)::text)\n"
                                "      column: {name: w, type: int, nullable: true}\n");
  std::vector<Finding> findings;
  nlohmann::json plans;
  ASSERT_TRUE(lifecycle.Check(file.path(), &findings, &plans).ok());
  EXPECT_FALSE(check::HasErrors(findings)) << Describe(findings);
  EXPECT_NE(nullptr, FindRule(findings, "preflight-incomplete")) << Describe(findings);
}

}  // namespace
}  // namespace pleat::testing
