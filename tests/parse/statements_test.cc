#include "parse/statements.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pleat::parse {
namespace {

struct Case {
  std::string text;
  std::vector<std::string> kinds;
  std::vector<std::string> texts;
};

// One statement of 70,000 bytes: `SELECT 1+1+...+1`.
std::string LongSum() {
  std::string sql = "SELECT 1";
  while (sql.size() < 70000) sql += "+1";
  return sql;
}

TEST(StatementsTest, SplitsStatementsWithTheirKindsAndText) {
  const Case kCases[] = {
      {"CREATE TABLE users (id int)", {"CreateStmt"}, {"CREATE TABLE users (id int)"}},
      {"CREATE TYPE s AS ENUM ('a');", {"CreateEnumStmt"}, {"CREATE TYPE s AS ENUM ('a')"}},
      {"  ALTER TABLE t ADD COLUMN c int ;\n\nDROP TABLE u;  ",
       {"AlterTableStmt", "DropStmt"},
       {"ALTER TABLE t ADD COLUMN c int", "DROP TABLE u"}},
      {"INSERT INTO t VALUES ('a;b'); UPDATE t SET x = 1",
       {"InsertStmt", "UpdateStmt"},
       {"INSERT INTO t VALUES ('a;b')", "UPDATE t SET x = 1"}},
      {"CREATE INDEX CONCURRENTLY i ON t (c)", {"IndexStmt"}, {"CREATE INDEX CONCURRENTLY i ON t (c)"}},
      {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$; SELECT f()",
       {"CreateFunctionStmt", "SelectStmt"},
       {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$", "SELECT f()"}},
      {"SELECT 'é'; SELECT 2", {"SelectStmt", "SelectStmt"}, {"SELECT 'é'", "SELECT 2"}},
  };
  for (const Case& c : kCases) {
    Statements parsed;
    Status s = Statements::Parse(c.text, &parsed);
    ASSERT_TRUE(s.ok()) << "input: " << c.text << "\n" << s.ToString();
    ASSERT_EQ(parsed.statements().size(), c.kinds.size()) << "input: " << c.text;
    for (size_t i = 0; i < c.kinds.size(); ++i) {
      EXPECT_EQ(parsed.statements()[i].kind, c.kinds[i]) << "input: " << c.text;
      EXPECT_EQ(parsed.statements()[i].text, c.texts[i]) << "input: " << c.text;
      EXPECT_TRUE(parsed.statements()[i].tree.is_object()) << "input: " << c.text;
    }
  }
}

TEST(StatementsTest, KeepsTheParseTree) {
  Statements parsed;
  ASSERT_TRUE(Statements::Parse("CREATE INDEX CONCURRENTLY i ON t (c)", &parsed).ok());
  EXPECT_EQ(parsed.statements()[0].tree.value("concurrent", false), true);
}

TEST(StatementsTest, AcceptsLongTextsOfShortStatements) {
  std::string sql;
  for (int i = 0; i < 5000; ++i) sql += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
  Statements parsed;
  Status s = Statements::Parse(sql, &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(5000u, parsed.statements().size());
  EXPECT_EQ("INSERT INTO t VALUES (4999)", parsed.statements().back().text);
}

TEST(StatementsTest, RefusesBadText) {
  const std::pair<std::string, std::string> kCases[] = {
      {"CREATE TABLE (id int)", "syntax error at or near \"(\" at line 1"},
      {"SELECT 1;\nSELECT 2;\nSELEC 3", "syntax error at or near \"SELEC\" at line 3"},
      {"SELECT 'ü';\nSELECT ;; 'x' x", "at line 2"},
      {"", "holds no statement"},
      {" ; -- only a comment", "holds no statement"},
      {std::string("SELECT 1\0", 9), "NUL byte"},
      {"SELECT '\xff'", "not valid UTF-8"},
      {LongSum(), "statement 1 is longer than 65536 bytes"},
      {"SELECT 1;\n" + LongSum() + ";\nSELECT 2", "statement 2 is longer than 65536 bytes"},
  };
  for (const auto& [text, error] : kCases) {
    Statements parsed;
    Status s = Statements::Parse(text, &parsed);
    ASSERT_FALSE(s.ok()) << "input: " << text.substr(0, 40);
    EXPECT_NE(s.message().find(error), std::string::npos) << "input: " << text.substr(0, 40) << "\n" << s.message();
  }
}

}  // namespace
}  // namespace pleat::parse
