#ifndef PLEAT_PARSE_EXPRESSION_H_
#define PLEAT_PARSE_EXPRESSION_H_
// Expression: one SQL expression from a migration file (`up`, `down`, `check`,
// a default, an index predicate), parsed with libpg_query before anything
// touches the database. Parse() rejects anything that is not exactly one
// expression (a second statement, a trailing `; DROP ...`, a bare SELECT list,
// a last line that is a `--` comment, which would hide the SQL pasted after it).
// RenameColumns() rewrites column references by their parse-tree locations,
// never by searching text, so string literals and function names are untouched.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "status.h"

namespace pleat::parse {

class Expression {
 public:
  // One unqualified column reference (`name` or `"Name"`) found in the expression.
  struct ColumnRef {
    std::string name;      // the identifier as PostgreSQL folds it ("Name" stays Name, Name becomes name)
    size_t offset = 0;     // byte offset in text() where the reference starts
    size_t length = 0;     // byte length of the reference as written
    bool in_subquery = false;  // inside a sub-SELECT, where it may name another table's column
  };

  // Parses `text`. On failure the Status says what is wrong with the
  // expression (the parser's message and position); callers add the context.
  static Status Parse(const std::string& text, Expression* out);

  // What the expression names without a schema, so that the search_path in
  // force resolves it: functions, operators (including the `=`, `<`, `~~` ...
  // that IN, CASE x WHEN, BETWEEN, LIKE and IS DISTINCT FROM use), types and
  // collations; and whether it names a table without a schema.
  struct UnqualifiedNames {
    std::set<std::string> functions, operators, types, collations;
    bool table = false;
  };

  const std::string& text() const { return text_; }
  const std::vector<ColumnRef>& column_refs() const { return refs_; }
  // Names of the columns referenced outside sub-SELECTs, deduplicated, in order of first use.
  std::vector<std::string> ReferencedColumns() const;
  // Names of the ordinary functions the expression calls (operators and casts
  // are not listed), so callers can ask the catalog about their volatility.
  const std::vector<std::string>& FunctionNames() const { return functions_; }
  const UnqualifiedNames& unqualified_names() const { return names_; }
  // True when the expression names no column (bare or qualified), calls no
  // function or operator (qualified or not) and holds no sub-SELECT: literals,
  // casts, CASE/COALESCE/ROW/ARRAY of them. Its value is the same for every row.
  bool IsConstant() const { return constant_; }

  // Returns the text with every column reference (outside sub-SELECTs) whose name is a
  // key of `replacements` replaced by the mapped text, e.g. {"name" -> "NEW.\"name\""}.
  // With `include_subqueries`, references inside sub-SELECTs are replaced too.
  std::string RenameColumns(const std::map<std::string, std::string>& replacements,
                            bool include_subqueries = false) const;

 private:
  std::string text_;
  std::vector<ColumnRef> refs_;
  std::vector<std::string> functions_;
  UnqualifiedNames names_;
  bool constant_ = false;
};

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_EXPRESSION_H_
