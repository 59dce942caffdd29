#include "parse/expression.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pleat::parse {
namespace {

struct RefCase {
  std::string text;
  std::vector<Expression::ColumnRef> refs;  // in text order
  std::vector<std::string> functions;
};

TEST(ExpressionTest, FindsColumnReferencesAndFunctions) {
  const RefCase kCases[] = {
      {"a + 1", {{"a", 0, 1, false}}, {}},
      {"Email", {{"email", 0, 5, false}}, {}},
      {"\"Full Name\" || ' ' || email",
       {{"Full Name", 0, 11, false}, {"email", 22, 5, false}}, {}},
      {"\"Na\"\"me\" = 1", {{"Na\"me", 0, 8, false}}, {}},
      {"x = \"B\"\"\"", {{"x", 0, 1, false}, {"B\"", 4, 5, false}}, {}},
      {"UPPER(Name)", {{"name", 6, 4, false}}, {"upper"}},
      {"'name' || name", {{"name", 10, 4, false}}, {}},
      {"t.a + NEW.b + c", {{"c", 14, 1, false}}, {}},
      {"a$b_1 * 2", {{"a$b_1", 0, 5, false}}, {}},
      {"é || \"Ä\" || x", {{"é", 0, 2, false}, {"Ä", 6, 4, false}, {"x", 14, 1, false}}, {}},
      {"U&\"d\\0061t\" + 1", {{"dat", 0, 11, false}}, {}},
      {"U&\"d!0061t\" UESCAPE '!' + 1", {{"dat", 0, 23, false}}, {}},
      {"a::text", {{"a", 0, 1, false}}, {}},
      {"CASE WHEN a > 0 THEN b ELSE c END",
       {{"a", 10, 1, false}, {"b", 21, 1, false}, {"c", 28, 1, false}}, {}},
      {"a IN (SELECT b FROM t WHERE t.c = a)",
       {{"a", 0, 1, false}, {"b", 13, 1, true}, {"a", 34, 1, true}}, {}},
      {"EXISTS (SELECT 1 FROM t WHERE id = x)",
       {{"id", 30, 2, true}, {"x", 35, 1, true}}, {}},
      {"(SELECT max(v) FROM t) + w", {{"v", 12, 1, true}, {"w", 25, 1, false}}, {"max"}},
      {"lower(a) || upper(b) || lower(c)",
       {{"a", 6, 1, false}, {"b", 18, 1, false}, {"c", 30, 1, false}}, {"lower", "upper"}},
      {"pg_catalog.now() + \"MyFunc\"(x)", {{"x", 28, 1, false}}, {"now", "MyFunc"}},
      {"coalesce(a, 0)", {{"a", 9, 1, false}}, {}},
      {"count(*) FILTER (WHERE f) OVER (PARTITION BY p)",
       {{"f", 23, 1, false}, {"p", 45, 1, false}}, {"count"}},
      {"$1 + 'a' || $$b$$", {}, {}},
  };
  for (const RefCase& c : kCases) {
    Expression e;
    Status s = Expression::Parse(c.text, &e);
    ASSERT_TRUE(s.ok()) << "input: " << c.text << "\n" << s.ToString();
    EXPECT_EQ(e.text(), c.text) << "input: " << c.text;
    ASSERT_EQ(e.column_refs().size(), c.refs.size()) << "input: " << c.text;
    for (size_t i = 0; i < c.refs.size(); ++i) {
      const Expression::ColumnRef& got = e.column_refs()[i];
      EXPECT_EQ(got.name, c.refs[i].name) << "input: " << c.text << " ref " << i;
      EXPECT_EQ(got.offset, c.refs[i].offset) << "input: " << c.text << " ref " << i;
      EXPECT_EQ(got.length, c.refs[i].length) << "input: " << c.text << " ref " << i;
      EXPECT_EQ(got.in_subquery, c.refs[i].in_subquery) << "input: " << c.text << " ref " << i;
    }
    EXPECT_EQ(e.FunctionNames(), c.functions) << "input: " << c.text;
  }
}

TEST(ExpressionTest, ReferencedColumnsSkipsSubqueriesAndRepeats) {
  const std::pair<std::string, std::vector<std::string>> kCases[] = {
      {"b + a + b", {"b", "a"}},
      {"x IN (SELECT y FROM t) AND \"X\" > 0", {"x", "X"}},
      {"1 + 2", {}},
  };
  for (const auto& [text, want] : kCases) {
    Expression e;
    Status s = Expression::Parse(text, &e);
    ASSERT_TRUE(s.ok()) << "input: " << text << "\n" << s.ToString();
    EXPECT_EQ(e.ReferencedColumns(), want) << "input: " << text;
  }
}

struct RenameCase {
  std::string text;
  std::map<std::string, std::string> replacements;
  std::string want;
};

// The preflight computes a constant `up` once instead of over every row
// (check/table_check.cc), so anything that could differ per row must say no.
TEST(ExpressionTest, IsConstantOnlyForLiteralsAndCasts) {
  for (const char* text : {"0", "'x'", "'2020-01-01'::date", "NULL", "-1.5", "CASE WHEN true THEN 1 END",
                           "ARRAY[1, 2]", "coalesce(NULL, 'a')", "ROW(1, 'a')"}) {
    Expression e;
    ASSERT_TRUE(Expression::Parse(text, &e).ok()) << text;
    EXPECT_TRUE(e.IsConstant()) << text;
  }
  for (const char* text : {"a", "t.a", "now()", "pg_catalog.now()", "1 + 1", "1 OPERATOR(pg_catalog.+) 1",
                           "(SELECT 1)", "EXISTS (SELECT FROM public.x)", "- '1'::int", "CASE a WHEN 1 THEN 2 END"}) {
    Expression e;
    ASSERT_TRUE(Expression::Parse(text, &e).ok()) << text;
    EXPECT_FALSE(e.IsConstant()) << text;
  }
}

TEST(ExpressionTest, RenameColumnsRewritesOnlyReferences) {
  const RenameCase kCases[] = {
      {"name || ' name'", {{"name", "NEW.\"name\""}}, "NEW.\"name\" || ' name'"},
      {"\"Name\" + Name", {{"Name", "x"}}, "x + Name"},
      {"\"Name\" + Name", {{"name", "x"}}, "\"Name\" + x"},
      {"lower(lower)", {{"lower", "NEW.lower"}}, "lower(NEW.lower)"},
      {"a IN (SELECT a FROM t)", {{"a", "b"}}, "b IN (SELECT a FROM t)"},
      {"$$a$$ || a", {{"a", "NEW.a"}}, "$$a$$ || NEW.a"},
      {"a+a*bb", {{"a", "long_name"}, {"bb", "c"}}, "long_name+long_name*c"},
      {"a /* a */ + \"a\"", {{"a", "z"}}, "z /* a */ + z"},
      {"U&\"d\\0061t\" + 1", {{"dat", "x"}}, "x + 1"},
      {"U&\"d!0061t\" UESCAPE '!' || 'dat'", {{"dat", "x"}}, "x || 'dat'"},
      {"é || e", {{"é", "NEW.\"é\""}}, "NEW.\"é\" || e"},
      {"t.a + a", {{"a", "b"}}, "t.a + b"},
      {"a + 1", {}, "a + 1"},
  };
  for (const RenameCase& c : kCases) {
    Expression e;
    Status s = Expression::Parse(c.text, &e);
    ASSERT_TRUE(s.ok()) << "input: " << c.text << "\n" << s.ToString();
    EXPECT_EQ(e.RenameColumns(c.replacements), c.want) << "input: " << c.text;
  }
}

struct RejectCase {
  std::string text;
  std::string message;
};

TEST(ExpressionTest, RejectsAnythingButOneExpression) {
  const RejectCase kCases[] = {
      {"1); DROP TABLE x; --", "syntax error at or near \")\" at position 2"},
      {"1; DROP TABLE x", "not a single SQL expression: found 2 statements"},
      {"1;", "not a single SQL expression: unexpected \";\""},
      {"a, b", "not a single SQL expression: found 2 comma-separated expressions"},
      {"1 FROM t", "not a single SQL expression: unexpected FROM"},
      {"a WHERE true", "not a single SQL expression: unexpected WHERE"},
      {"1 UNION SELECT 2", "not a single SQL expression: unexpected UNION, INTERSECT or EXCEPT"},
      {"1 LIMIT 1", "not a single SQL expression: unexpected LIMIT"},
      {"1 INTO t", "not a single SQL expression: unexpected INTO"},
      {"1 ORDER BY 1", "not a single SQL expression: unexpected ORDER BY"},
      {"DISTINCT a", "not a single SQL expression: unexpected DISTINCT"},
      {"1 AS x", "not a single SQL expression: unexpected name \"x\" after the expression"},
      {"a b", "not a single SQL expression: unexpected name \"b\" after the expression"},
      {"*", "not a single SQL expression: \"*\" selects columns, it is not an expression"},
      {"t.*", "not a single SQL expression: \"*\" selects columns, it is not an expression"},
      {"", "the expression is empty"},
      {"  -- only a comment", "the expression is empty"},
      {"1 +", "syntax error at end of input at position 4"},
      {"'abc", "unterminated quoted string at or near \"'abc\" at position 1"},
      {"\"ab", "unterminated quoted identifier at or near \"\"ab\" at position 1"},
      {"é + + )", "syntax error at or near \")\" at position 7"},
      {std::string("a\0b", 3), "the expression contains a NUL byte"},
      {"'\xff' || a", "the expression is not valid UTF-8"},
      {std::string(40000, 'a'), "the expression is longer than 32768 bytes"},
  };
  for (const RejectCase& c : kCases) {
    Expression e;
    Status s = Expression::Parse(c.text, &e);
    std::string shown = c.text.substr(0, 40);
    ASSERT_FALSE(s.ok()) << "input: " << shown;
    EXPECT_EQ(s.code(), Status::Code::kInvalid) << "input: " << shown;
    EXPECT_EQ(s.message(), c.message) << "input: " << shown;
    EXPECT_FALSE(s.hint().empty()) << "input: " << shown;
  }
}

// libpg_query recurses per chained operator; the length limit must keep the
// longest accepted chain within the stack.
TEST(ExpressionTest, LongOperatorChainWithinLimit) {
  std::string text = "a";
  while (text.size() + 2 <= 32 * 1024) text += "+a";
  Expression e;
  Status s = Expression::Parse(text, &e);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(e.column_refs().size(), (text.size() + 1) / 2);
  EXPECT_EQ(e.ReferencedColumns(), std::vector<std::string>{"a"});
}

// Deep parentheses hit the parser's own stack limit, which it reports as an error.
TEST(ExpressionTest, DeepNestingIsAnError) {
  std::string text = std::string(10000, '(') + "a" + std::string(10000, ')');
  Expression e;
  Status s = Expression::Parse(text, &e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("memory exhausted at or near \"(\" at position ", 0), 0u)
      << s.message();
}

}  // namespace
}  // namespace pleat::parse
