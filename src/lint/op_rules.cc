// Rules over the bodies of pleat's own operations. pleat already takes the safe
// path for locks and rewrites, so what is left to catch is the schema design a
// file asks for: json columns and int primary keys.
#include <set>

#include "lint/rules.h"

namespace pleat::lint {
namespace {

using nlohmann::json;

std::string ColumnObject(const std::string& table, const std::string& column) {
  return "table \"" + table + "\" column \"" + column + "\"";
}

std::string Text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// A column object of create_table or add_column; `table_pk` when a table
// constraint makes it part of the primary key.
void CheckColumn(const OpInput& op, const std::string& table, const json& column, bool is_new, bool table_pk,
                 std::vector<Finding>* out) {
  if (!column.is_object()) return;
  std::string name = Text(column, "name"), type = Text(column, "type");
  if (IsJsonType(type))
    out->push_back(MakeFinding(op, Severity::kWarning, "json-column", ColumnObject(table, name),
                               "column \"" + name + "\" is json"));
  bool pk = table_pk || (column.contains("pk") && column["pk"] == true);
  if (pk && IsSmallIntegerType(type)) out->push_back(IntPrimaryKeyFinding(op, table, name, type, is_new));
}

std::set<std::string> PrimaryKeyColumns(const json& body) {
  std::set<std::string> keys;
  for (const json& c : body.value("constraints", json::array())) {
    if (!c.is_object() || Text(c, "type") != "primary_key") continue;
    for (const json& k : c.value("columns", json::array()))
      if (k.is_string()) keys.insert(k.get<std::string>());
  }
  return keys;
}

}  // namespace

void LintOperationBody(const OpInput& op, std::vector<Finding>* out) {
  const json& body = *op.body;
  if (!body.is_object()) return;
  if (op.key == "create_table") {
    std::string table = Text(body, "name");
    std::set<std::string> pk = PrimaryKeyColumns(body);
    for (const json& column : body.value("columns", json::array()))
      CheckColumn(op, table, column, true, column.is_object() && pk.count(Text(column, "name")), out);
  } else if (op.key == "add_column") {
    CheckColumn(op, Text(body, "table"), body.value("column", json::object()), false, false, out);
  } else if (op.key == "alter_column" && IsJsonType(Text(body, "type"))) {
    std::string table = Text(body, "table"), column = Text(body, "column");
    out->push_back(MakeFinding(op, Severity::kWarning, "json-column", ColumnObject(table, column),
                               "column \"" + column + "\" becomes json"));
  }
}

}  // namespace pleat::lint
