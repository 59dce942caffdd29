#include "convert/convert.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "migration/migration.h"

namespace pleat::convert {
namespace {

using nlohmann::ordered_json;

std::vector<ConvertedMigration> ConvertOk(const std::string& sql) {
  std::vector<ConvertedMigration> parts;
  Status s = Convert(sql, &parts);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << sql;
  return parts;
}

// "key {body}" for each operation of each part, parts separated by " | ".
std::string Summary(const std::vector<ConvertedMigration>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += out.empty() ? "" : " | ";
    for (size_t i = 0; i < part.size(); ++i) out += (i ? "; " : "") + part[i].key + " " + part[i].body.dump();
  }
  return out;
}

struct Case {
  std::string sql;
  std::string expected;  // Summary()
};

TEST(ConvertTest, StatementsBecomeOperations) {
  const Case kCases[] = {
      {"CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', note varchar(20))",
       R"j(create_table {"name":"t","columns":[{"name":"id","type":"bigint","pk":true,"nullable":false},)j"
       R"j({"name":"name","type":"text","nullable":false,"default":"'x'"},{"name":"note","type":"varchar(20)","nullable":true}]})j"},
      {"CREATE TABLE t (a int CHECK (a > 0), b int REFERENCES u (id) ON DELETE CASCADE, UNIQUE (a, b))",
       R"j(create_table {"name":"t","columns":[{"name":"a","type":"integer","nullable":true,)j"
       R"j("check":{"name":"t_a_check","constraint":"a > 0"}},{"name":"b","type":"integer","nullable":true,)j"
       R"j("references":{"name":"t_b_fkey","table":"u","column":"id","on_delete":"CASCADE"}}],)j"
       R"j("constraints":[{"name":"t_a_b_key","type":"unique","columns":["a","b"]}]})j"},
      {"CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, d numeric(10,2)[] DEFAULT (1 + 2) * 3 NOT NULL)",
       R"j(create_table {"name":"t","columns":[{"name":"id","type":"integer","nullable":false,"generated":)j"
       R"j({"identity":{"user_specified_values":"ALWAYS"}}},{"name":"d","type":"numeric(10,2)[]","nullable":false,)j"
       R"j("default":"(1 + 2) * 3"}]})j"},
      {"CREATE UNIQUE INDEX CONCURRENTLY i ON t USING btree (a DESC NULLS LAST, b) WHERE (deleted IS NULL)",
       R"j(create_index {"name":"i","table":"t","columns":[{"column":"a","sort":"DESC","nulls":"LAST"},"b"],)j"
       R"j("unique":true,"predicate":"(deleted IS NULL)"})j"},
      {"CREATE INDEX ON t USING gin (tags)",
       R"j(create_index {"name":"t_tags_idx","table":"t","columns":["tags"],"method":"gin"})j"},
      {"ALTER TABLE t ADD COLUMN c text DEFAULT 'a', DROP COLUMN d",
       R"j(add_column {"table":"t","column":{"name":"c","type":"text","nullable":true,"default":"'a'"}}; )j"
       R"j(drop_column {"table":"t","column":"d"})j"},
      {"ALTER TABLE t ALTER COLUMN a SET DEFAULT now(), ALTER COLUMN b DROP DEFAULT",
       R"j(alter_column {"table":"t","column":"a","default":"now()"}; alter_column {"table":"t","column":"b","default":null})j"},
      {"ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint",
       R"j(alter_column {"table":"t","column":"a","type":"bigint","up":"a::bigint","down":"TODO: the old value from the new columns"})j"},
      {"ALTER TABLE t ADD CONSTRAINT c CHECK (a < b)",
       R"j(create_constraint {"table":"t","name":"c","type":"check","columns":["a","b"],"check":"a < b"})j"},
      {"ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) DEFERRABLE INITIALLY DEFERRED",
       R"j(create_constraint {"table":"t","name":"f","type":"foreign_key","columns":["a"],)j"
       R"j("references":{"table":"u","columns":["id"]},"deferrable":true,"initially_deferred":true})j"},
      {"ALTER TABLE t DROP CONSTRAINT c", R"j(drop_multicolumn_constraint {"table":"t","name":"c"})j"},
      {"ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE t RENAME TO u; ALTER TABLE u RENAME CONSTRAINT c TO d",
       R"j(rename_column {"table":"t","from":"a","to":"b"}; rename_table {"from":"t","to":"u"}; )j"
       R"j(rename_constraint {"table":"u","from":"c","to":"d"})j"},
      {"DROP TABLE a, b; DROP INDEX i", R"j(drop_table {"name":"a"}; drop_table {"name":"b"}; drop_index {"name":"i"})j"},
      {"BEGIN; CREATE TABLE t (a int); COMMIT;", R"j(create_table {"name":"t","columns":[{"name":"a","type":"integer","nullable":true}]})j"},
  };
  for (const Case& c : kCases) EXPECT_EQ(c.expected, Summary(ConvertOk(c.sql))) << c.sql;
}

TEST(ConvertTest, WhatPleatCannotSayStaysRawSqlInAMigrationOfItsOwn) {
  auto parts = ConvertOk(
      "CREATE EXTENSION IF NOT EXISTS citext;\n"
      "CREATE TYPE mood AS ENUM ('ok');\n"
      "CREATE TABLE t (a int);\n"
      "CREATE INDEX i ON t (lower(a::text));\n"
      "DROP TABLE IF EXISTS x;\n"
      "ALTER TABLE t ADD COLUMN b int, ALTER COLUMN a SET STATISTICS 100;\n"
      "CREATE TABLE u (a int) PARTITION BY RANGE (a);");
  ASSERT_EQ(parts.size(), 3u) << Summary(parts);
  EXPECT_EQ(Summary({parts[0]}), R"j(sql {"up":"CREATE EXTENSION IF NOT EXISTS citext;\nCREATE TYPE mood AS ENUM ('ok')"})j");
  EXPECT_EQ(parts[1][0].key, "create_table");
  EXPECT_EQ(parts[2][0].body["up"].get<std::string>(),
            "CREATE INDEX i ON t (lower(a::text));\nDROP TABLE IF EXISTS x;\n"
            "ALTER TABLE t ADD COLUMN b int, ALTER COLUMN a SET STATISTICS 100;\n"
            "CREATE TABLE u (a int) PARTITION BY RANGE (a)");
  EXPECT_EQ(PartPath("dir/05_init.yaml", 0), "dir/05_init.yaml");
  EXPECT_EQ(PartPath("dir/05_init.yaml", 2), "dir/05_init_3.yaml");
}

TEST(ConvertTest, SyntaxErrorsAreReported) {
  std::vector<ConvertedMigration> parts;
  Status s = Convert("CREATE TABLE (", &parts);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("syntax error"), std::string::npos) << s.message();
}

// A field the DDL cannot say is a placeholder with a comment above it (start
// refusing it is tested in round_trip_test.cc).
TEST(ConvertTest, PlaceholdersAreCommented) {
  const std::string kSql[] = {"ALTER TABLE users ALTER COLUMN name SET NOT NULL",
                              "ALTER TABLE users ALTER COLUMN name DROP NOT NULL",
                              "ALTER TABLE users ALTER COLUMN age TYPE bigint",
                              "ALTER TABLE users ADD COLUMN slug text NOT NULL"};
  for (const std::string& sql : kSql) {
    auto parts = ConvertOk(sql);
    ASSERT_EQ(parts.size(), 1u);
    std::string yaml = ToYaml(parts[0]);
    EXPECT_NE(yaml.find("# pleat refuses this file until you replace the TODO.\n"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("\"TODO: "), std::string::npos) << yaml;
  }
}

TEST(ConvertTest, YamlReadsBackAsTheOperations) {
  auto parts = ConvertOk(
      "CREATE TABLE \"User\" (\"id\" SERIAL NOT NULL, \"on\" TEXT DEFAULT 'a: #b', \"x\" INT CHECK (\"x\" <> 1),"
      " CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));");
  ASSERT_EQ(parts.size(), 1u);
  std::string yaml = ToYaml(parts[0]);
  migration::Migration m;
  Status s = migration::LoadMigrationText("01_user.yaml", yaml, &m);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << yaml;
  EXPECT_NE(yaml.find("# from: CREATE TABLE \"User\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("default: \"'a: #b'\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("constraint: \"\\\"x\\\" <> 1\""), std::string::npos) << yaml;
}

}  // namespace
}  // namespace pleat::convert
