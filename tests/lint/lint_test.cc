#include "lint/lint.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pleat::lint {
namespace {

// The findings of `yaml` (which must load), as rule ids.
std::vector<Finding> LintYaml(const std::string& yaml, const LintContext& context = {}) {
  migration::Migration m;
  Status s = migration::LoadMigrationText("01_case.yaml", yaml, &m);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << yaml;
  std::vector<Finding> out;
  if (s.ok()) s = Lint(m, context, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// A `sql` operation with a `down`, so that only the rules about `up` speak.
std::string Sql(const std::string& up) {
  return "operations:\n  - sql:\n      down: SELECT 1\n      up: |\n        " + up + "\n";
}

bool Fires(const std::vector<Finding>& findings, const std::string& rule) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.rule == rule; });
}

struct Case {
  std::string rule;
  std::string fires;     // a migration on which the rule fires
  std::string silent;    // a close migration on which it does not
};

const std::string kLong(64, 'x');

TEST(LintTest, EveryRuleFiresAndStaysSilent) {
  const Case kCases[] = {
      {"non-concurrent-index", Sql("CREATE INDEX i ON users (email);"),
       Sql("CREATE TABLE t (a int); CREATE INDEX i ON t (a);")},
      {"non-concurrent-index", Sql("DROP INDEX i;"), Sql("DROP TABLE IF EXISTS t2; CREATE TABLE t2 (a int);")},
      {"concurrent-index-in-sql", Sql("CREATE INDEX CONCURRENTLY i ON users (email);"),
       "operations:\n  - create_index: {name: i, table: users, columns: [email]}\n"},
      {"concurrent-index-in-sql", Sql("DROP INDEX CONCURRENTLY i;"), "operations:\n  - drop_index: {name: i}\n"},
      {"volatile-default", Sql("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
       Sql("ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();")},
      {"volatile-default", Sql("ALTER TABLE users ADD COLUMN n bigserial;"),
       Sql("ALTER TABLE users ADD COLUMN n bigint;")},
      {"set-not-null", Sql("ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
       Sql("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;")},
      {"constraint-without-not-valid", Sql("ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0);"),
       Sql("ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;")},
      {"unique-constraint-builds-index", Sql("ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);"),
       Sql("ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_email;")},
      {"foreign-key-without-not-valid", Sql("ALTER TABLE posts ADD FOREIGN KEY (user_id) REFERENCES users (id);"),
       Sql("ALTER TABLE posts ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;")},
      {"column-type-rewrite", Sql("ALTER TABLE users ALTER COLUMN age TYPE bigint;"),
       Sql("ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;")},
      {"sql-without-down", "operations:\n  - sql: {up: CREATE TABLE t (a int)}\n",
       "operations:\n  - sql: {up: CREATE TABLE t (a int), down: DROP TABLE t}\n"},
      {"rename-in-sql", Sql("ALTER TABLE users RENAME COLUMN email TO mail;"),
       Sql("CREATE TABLE t (a int); ALTER TABLE t RENAME COLUMN a TO b;")},
      {"rename-in-sql", Sql("ALTER TABLE users RENAME TO people;"),
       "operations:\n  - rename_table: {from: users, to: people}\n"},
      {"drop-in-sql", Sql("ALTER TABLE users DROP COLUMN email;"), "operations:\n  - drop_column: {table: users, column: email}\n"},
      {"drop-in-sql", Sql("DROP TABLE users;"), "operations:\n  - drop_table: {name: users}\n"},
      {"lock-timeout-override", Sql("SET lock_timeout = 0; ALTER TABLE users ALTER COLUMN age SET DEFAULT 1;"),
       Sql("SET LOCAL lock_timeout = '100ms'; ALTER TABLE users ALTER COLUMN age SET DEFAULT 1;")},
      {"lock-timeout-override", Sql("RESET lock_timeout;"), Sql("SET LOCAL statement_timeout = 0;")},
      {"long-identifier", "operations:\n  - create_table: {name: t, columns: [{name: " + kLong + ", type: int}]}\n",
       "operations:\n  - create_table: {name: t, columns: [{name: " + kLong.substr(1) + ", type: int}]}\n"},
      {"long-identifier", Sql("CREATE INDEX " + kLong + " ON t (a);"),
       Sql("COMMENT ON TABLE t IS '" + kLong + "';")},
      {"json-column", "operations:\n  - add_column: {table: t, column: {name: j, type: json, nullable: true}}\n",
       "operations:\n  - add_column: {table: t, column: {name: j, type: jsonb, nullable: true}}\n"},
      {"json-column", Sql("CREATE TABLE t (id bigint, j json);"), Sql("CREATE TABLE t (id bigint, j jsonb);")},
      {"json-column", "operations:\n  - alter_column: {table: t, column: j, type: json}\n",
       "operations:\n  - alter_column: {table: t, column: j, type: jsonb}\n"},
      {"int-primary-key", "operations:\n  - create_table: {name: t, columns: [{name: id, type: serial, pk: true}]}\n",
       "operations:\n  - create_table: {name: t, columns: [{name: id, type: bigserial, pk: true}]}\n"},
      {"int-primary-key",
       "operations:\n  - create_table:\n      name: t\n      columns: [{name: id, type: integer}]\n"
       "      constraints: [{name: t_pk, type: primary_key, columns: [id]}]\n",
       "operations:\n  - create_table: {name: t, columns: [{name: id, type: integer}]}\n"},
      {"int-primary-key", Sql("CREATE TABLE t (id int4, PRIMARY KEY (id));"), Sql("CREATE TABLE t (id int8 PRIMARY KEY);")},
  };
  for (const Case& c : kCases) {
    EXPECT_TRUE(Fires(LintYaml(c.fires), c.rule)) << c.rule << " should fire on\n" << c.fires;
    EXPECT_FALSE(Fires(LintYaml(c.silent), c.rule)) << c.rule << " should not fire on\n" << c.silent;
  }
}

TEST(LintTest, FindingNamesTheOperationTheObjectAndTheFix) {
  auto findings = LintYaml(Sql("ALTER TABLE users ALTER COLUMN email SET NOT NULL;"));
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.rule, "set-not-null");
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.operation, 1);
  EXPECT_EQ(f.operation_key, "sql");
  EXPECT_EQ(f.object, "table \"users\" column \"email\"");
  EXPECT_NE(f.fix.find("alter_column"), std::string::npos) << f.fix;
  EXPECT_EQ(f.count, -1);
}

TEST(LintTest, IntPrimaryKeyIsAnErrorOnlyOnALargeTable) {
  std::string add = "operations:\n  - add_column: {table: events, column: {name: id, type: int, pk: true}}\n";
  auto small = LintYaml(add, LintContext{{{"events", 1000}}});
  ASSERT_EQ(small.size(), 1u);
  EXPECT_EQ(small[0].severity, Severity::kWarning);
  auto large = LintYaml(add, LintContext{{{"events", 50'000'000}}});
  ASSERT_EQ(large.size(), 1u);
  EXPECT_EQ(large[0].severity, Severity::kError);
  EXPECT_NE(large[0].message.find("50000000 rows"), std::string::npos) << large[0].message;
}

TEST(LintTest, TypeChangeToTextIsOnlyAWarning) {
  auto findings = LintYaml(Sql("ALTER TABLE users ALTER COLUMN name TYPE text;"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kWarning);
  findings = LintYaml(Sql("ALTER TABLE users ALTER COLUMN name TYPE varchar(20);"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kError);
}

TEST(LintTest, IgnoreKeySilencesRulesForItsOperationOnly) {
  std::string yaml =
      "operations:\n"
      "  - pleat_lint_ignore: [json-column]\n"
      "    add_column: {table: t, column: {name: a, type: json, nullable: true}}\n"
      "  - add_column: {table: t, column: {name: b, type: json, nullable: true}}\n";
  auto findings = LintYaml(yaml);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].operation, 2);
  std::string sql = "operations:\n  - sql:\n      up: ALTER TABLE users DROP COLUMN a; CREATE INDEX i ON users (b)\n"
                    "    pleat_lint_ignore: [drop-in-sql, non-concurrent-index, sql-without-down]\n";
  EXPECT_TRUE(LintYaml(sql).empty());
}

TEST(LintTest, UnknownIdInIgnoreKeyIsReported) {
  auto findings = LintYaml(
      "operations:\n  - pleat_lint_ignore: [json-colum]\n    add_column: {table: t, column: {name: a, type: json, "
      "nullable: true}}\n");
  EXPECT_TRUE(Fires(findings, "unknown-lint-rule"));
  EXPECT_TRUE(Fires(findings, "json-column"));
}

TEST(LintTest, LoaderRefusesAnIgnoreKeyThatIsNotAList) {
  migration::Migration m;
  Status s = migration::LoadMigrationText(
      "01_x.yaml", "operations:\n  - pleat_lint_ignore: json-column\n    drop_table: {name: t}\n", &m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("\"pleat_lint_ignore\" must be a list"), std::string::npos) << s.message();
  s = migration::LoadMigrationText("01_x.yaml", "operations:\n  - pleat_lint_ignore: [json-column]\n", &m);
  EXPECT_FALSE(s.ok());  // an item with no operation is still refused
}

TEST(LintTest, JsonFilesAreLintedToo) {
  migration::Migration m;
  std::string text = R"({"operations": [{"sql": {"up": "ALTER TABLE u ALTER COLUMN a SET NOT NULL"}}]})";
  ASSERT_TRUE(migration::LoadMigrationText("01_x.json", text, &m).ok());
  std::vector<Finding> out;
  ASSERT_TRUE(Lint(m, {}, &out).ok());
  EXPECT_TRUE(Fires(out, "set-not-null"));
}

}  // namespace
}  // namespace pleat::lint
