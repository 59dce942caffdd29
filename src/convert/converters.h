#ifndef PLEAT_CONVERT_CONVERTERS_H_
#define PLEAT_CONVERT_CONVERTERS_H_
// One converter per kind of DDL statement. Each turns a statement (its text
// and libpg_query parse tree, locations relative to `text`) into pleat
// operations appended to *out, or returns false and appends nothing when pleat
// has no operation that says exactly what the statement does; the statement
// then stays raw SQL. Internal to src/convert.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/convert.h"

namespace pleat::convert {

struct Statement {
  const std::string& text;
  const nlohmann::json& tree;
};

bool ConvertCreateTable(const Statement& st, std::vector<ConvertedOperation>* out);
bool ConvertIndex(const Statement& st, std::vector<ConvertedOperation>* out);
bool ConvertAlterTable(const Statement& st, std::vector<ConvertedOperation>* out);
bool ConvertDrop(const Statement& st, std::vector<ConvertedOperation>* out);
bool ConvertRename(const Statement& st, std::vector<ConvertedOperation>* out);

// A ColumnDef node as a pleat column object (create_table, add_column).
bool ColumnObject(const std::string& text, const std::string& table, const nlohmann::json& def,
                  nlohmann::ordered_json* out);
// A table-level Constraint node as a create_table constraint object.
bool TableConstraintObject(const std::string& text, const std::string& table, const nlohmann::json& con,
                           nlohmann::ordered_json* out);

// The table a RangeVar names (its schema is dropped: pleat works in --schema).
std::string RelationName(const nlohmann::json& tree);

// A placeholder value, "TODO: <what>", for a field the user must write.
std::string Placeholder(const std::string& what);

}  // namespace pleat::convert

#endif  // PLEAT_CONVERT_CONVERTERS_H_
