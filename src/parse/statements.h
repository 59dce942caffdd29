#ifndef PLEAT_PARSE_STATEMENTS_H_
#define PLEAT_PARSE_STATEMENTS_H_
// Statements: SQL statements from a migration file (a raw `sql` operation's
// `up` and `down`, DDL that pleat renders), parsed with libpg_query before
// anything touches the database, so a syntax error fails the migration when it
// is loaded instead of half-way through start. Each statement keeps its text
// and parse tree, for callers that inspect raw SQL (linting). Parse() fails on
// a syntax error (with the parser's message and line), on text that holds no
// statement, a NUL byte or invalid UTF-8, and on a statement longer than
// 64 KiB (deeper trees could overflow the stack). A plain value; copy freely.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "status.h"

namespace pleat::parse {

class Statements {
 public:
  struct Statement {
    std::string kind;     // the parse node: "CreateStmt", "AlterTableStmt", "IndexStmt", ...
    std::string text;     // the statement as written, without its ';' and surrounding space
    nlohmann::json tree;  // the node's fields, as libpg_query's JSON output writes them
  };

  // Parses `text`. On failure the Status says what is wrong and where; callers add the context.
  static Status Parse(const std::string& text, Statements* out);

  const std::vector<Statement>& statements() const { return statements_; }

 private:
  std::vector<Statement> statements_;
};

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_STATEMENTS_H_
