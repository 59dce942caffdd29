#ifndef PLEAT_CONVERT_SQL_TEXT_H_
#define PLEAT_CONVERT_SQL_TEXT_H_
// The SQL text of parse-tree parts that libpg_query's JSON does not spell out:
// a type name rebuilt from its TypeName node, and an expression cut from the
// statement text by the locations in its subtree. Each returns false when it
// cannot be sure of the text; the caller then keeps the statement as raw SQL.
// Internal to src/convert.

#include <string>

#include <nlohmann/json.hpp>

namespace pleat::convert {

// The name as SQL: bare when PostgreSQL would read it back unchanged, else quoted.
std::string SqlName(const std::string& name);

// "varchar(255)", "timestamp(3)", "\"Role\"[]" for a TypeName node.
bool TypeText(const nlohmann::json& type_name, std::string* out);

// The expression `node` as written in `text` (the statement it was parsed
// from), ending before byte `bound` at the latest. The result parses as one
// expression (checked with parse::Expression).
bool ExpressionText(const std::string& text, const nlohmann::json& node, size_t bound, std::string* out);

// The text inside the parentheses of a CHECK whose expression is `node`.
bool CheckText(const std::string& text, const nlohmann::json& node, std::string* out);

// The last name of a list of String nodes (a qualified name, a function name).
std::string LastName(const nlohmann::json& list);
// The names of a list of String nodes.
std::vector<std::string> Names(const nlohmann::json& list);

}  // namespace pleat::convert

#endif  // PLEAT_CONVERT_SQL_TEXT_H_
