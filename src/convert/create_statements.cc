// CREATE TABLE -> create_table, CREATE INDEX -> create_index. Anything these
// operations cannot say (inheritance, partitions, storage options, expression
// indexes, INCLUDE columns) keeps the statement as raw SQL.
#include "convert/converters.h"
#include "convert/sql_text.h"
#include "pg/quote.h"

namespace pleat::convert {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

bool IsPlainCreateTable(const json& tree) {
  for (const char* key : {"inhRelations", "partbound", "partspec", "ofTypename", "options", "tablespacename",
                          "accessMethod", "if_not_exists"})
    if (tree.contains(key)) return false;
  return tree.value("relation", json::object()).value("relpersistence", "p") == "p" &&
         tree.value("oncommit", "ONCOMMIT_NOOP") == "ONCOMMIT_NOOP";
}

// One IndexElem as a create_index column: a plain name, or an object with its settings.
bool IndexColumnObject(const json& elem, ordered_json* out) {
  if (!elem.contains("name") || elem.contains("expr")) return false;  // expression indexes stay SQL
  ordered_json col = {{"column", elem["name"]}};
  if (elem.contains("collation")) col["collate"] = LastName(elem["collation"]);
  std::string sort = elem.value("ordering", "SORTBY_DEFAULT"), nulls = elem.value("nulls_ordering", "");
  if (sort == "SORTBY_DESC") col["sort"] = "DESC";
  if (sort == "SORTBY_USING") return false;
  if (nulls == "SORTBY_NULLS_FIRST") col["nulls"] = "FIRST";
  if (nulls == "SORTBY_NULLS_LAST") col["nulls"] = "LAST";
  if (elem.contains("opclass")) {
    if (elem.contains("opclassopts")) return false;
    col["opclass"] = {{"name", LastName(elem["opclass"])}};
  }
  *out = col.size() == 1 ? col["column"] : col;
  return true;
}

}  // namespace

bool ConvertCreateTable(const Statement& st, std::vector<ConvertedOperation>* out) {
  if (!IsPlainCreateTable(st.tree)) return false;
  std::string table = RelationName(st.tree.value("relation", json::object()));
  ordered_json columns = ordered_json::array(), constraints = ordered_json::array();
  for (const json& element : st.tree.value("tableElts", json::array())) {
    ordered_json item;
    if (element.contains("ColumnDef") && ColumnObject(st.text, table, element["ColumnDef"], &item))
      columns.push_back(item);
    else if (element.contains("Constraint") && TableConstraintObject(st.text, table, element["Constraint"], &item))
      constraints.push_back(item);
    else
      return false;
  }
  if (columns.empty()) return false;
  ordered_json body = {{"name", table}, {"columns", columns}};
  if (!constraints.empty()) body["constraints"] = constraints;
  out->push_back({"create_table", body, {}, ""});
  return true;
}

bool ConvertIndex(const Statement& st, std::vector<ConvertedOperation>* out) {
  const json& t = st.tree;
  for (const char* key : {"indexIncludingParams", "options", "tableSpace", "nulls_not_distinct", "if_not_exists"})
    if (t.contains(key)) return false;
  std::string table = RelationName(t.value("relation", json::object()));
  ordered_json columns = ordered_json::array();
  std::string default_name = table;
  for (const json& e : t.value("indexParams", json::array())) {
    ordered_json col;
    if (!IndexColumnObject(e.value("IndexElem", json::object()), &col)) return false;
    columns.push_back(col);
    default_name += "_" + e["IndexElem"].value("name", "");
  }
  bool unique = t.value("unique", false);
  // PostgreSQL's own name for an unnamed index.
  std::string name = t.value("idxname", pg::FitIdentifier(default_name + (unique ? "_key" : "_idx")));
  ordered_json body = {{"name", name}, {"table", table}, {"columns", columns}};
  if (t.value("accessMethod", "btree") != "btree") body["method"] = t["accessMethod"];
  if (unique) body["unique"] = true;
  if (t.contains("whereClause")) {
    std::string predicate;
    if (!ExpressionText(st.text, t["whereClause"], st.text.size(), &predicate)) return false;
    body["predicate"] = predicate;
  }
  out->push_back({"create_index", body, {}, ""});
  return true;
}

}  // namespace pleat::convert
