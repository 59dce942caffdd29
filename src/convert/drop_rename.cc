// DROP TABLE/INDEX -> drop_table/drop_index; RENAME of a table, column or
// constraint -> rename_table/rename_column/rename_constraint. IF EXISTS and
// CASCADE stay raw SQL: pleat's operations refuse a missing object and never
// drop dependent objects they were not told about.
#include "convert/converters.h"
#include "convert/sql_text.h"

namespace pleat::convert {

using nlohmann::json;
using nlohmann::ordered_json;

bool ConvertDrop(const Statement& st, std::vector<ConvertedOperation>* out) {
  std::string type = st.tree.value("removeType", "");
  if (st.tree.value("behavior", "") == "DROP_CASCADE" || st.tree.value("missing_ok", false)) return false;
  if (type != "OBJECT_TABLE" && type != "OBJECT_INDEX") return false;
  std::vector<ConvertedOperation> ops;
  for (const json& object : st.tree.value("objects", json::array())) {
    std::string name = LastName(object.value("List", json::object()).value("items", json::array()));
    if (name.empty()) return false;
    ops.push_back({type == "OBJECT_TABLE" ? "drop_table" : "drop_index", {{"name", name}}, {}, ""});
  }
  out->insert(out->end(), ops.begin(), ops.end());
  return !ops.empty();
}

bool ConvertRename(const Statement& st, std::vector<ConvertedOperation>* out) {
  const json& t = st.tree;
  if (t.value("missing_ok", false)) return false;
  std::string type = t.value("renameType", ""), table = RelationName(t.value("relation", json::object()));
  std::string from = t.value("subname", ""), to = t.value("newname", "");
  if (type == "OBJECT_COLUMN" && t.value("relationType", "") == "OBJECT_TABLE")
    out->push_back({"rename_column", {{"table", table}, {"from", from}, {"to", to}}, {}, ""});
  else if (type == "OBJECT_TABLE")
    out->push_back({"rename_table", {{"from", table}, {"to", to}}, {}, ""});
  else if (type == "OBJECT_TABCONSTRAINT")
    out->push_back({"rename_constraint", {{"table", table}, {"from", from}, {"to", to}}, {}, ""});
  else
    return false;
  return true;
}

}  // namespace pleat::convert
