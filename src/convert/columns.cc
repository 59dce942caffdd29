// Column definitions and table constraints, as create_table and add_column
// write them. An unnamed constraint gets the name PostgreSQL would give it
// (`<table>_<column>_check`, `_fkey`, `_key`, `<table>_pkey`), because pleat's
// operations name every constraint.
#include "convert/converters.h"
#include "convert/sql_text.h"
#include "parse/column_def.h"
#include "pg/quote.h"

namespace pleat::convert {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string ConstraintName(const json& con, const std::string& table, const std::vector<std::string>& columns,
                           const std::string& suffix) {
  std::string name = con.value("conname", "");
  if (!name.empty()) return name;
  name = table;
  for (const auto& c : columns) name += "_" + c;
  return pg::FitIdentifier(name + "_" + suffix);
}

// The referenced side of a foreign key; false for what pleat cannot say
// (no referenced columns, ON DELETE SET NULL (columns), MATCH PARTIAL).
bool References(const json& con, ordered_json* out) {
  if (con.contains("fk_del_set_cols") || con.value("fk_matchtype", "s") == "p") return false;
  (*out)["table"] = RelationName(con.value("pktable", json::object()));
  std::string del = parse::ReferentialActionName(con.value("fk_del_action", "a")),
              upd = parse::ReferentialActionName(con.value("fk_upd_action", "a"));
  if (!del.empty()) (*out)["on_delete"] = del;
  if (!upd.empty()) (*out)["on_update"] = upd;
  if (con.value("fk_matchtype", "s") == "f") (*out)["match_type"] = "FULL";
  return !Names(con.value("pk_attrs", json::array())).empty();
}

void Deferrable(const json& con, ordered_json* out) {
  if (con.value("deferrable", false)) (*out)["deferrable"] = true;
  if (con.value("initdeferred", false)) (*out)["initially_deferred"] = true;
}

bool ColumnReferences(const json& con, const std::string& table, const std::string& column, ordered_json* out) {
  std::vector<std::string> to = Names(con.value("pk_attrs", json::array()));
  if (to.size() != 1) return false;
  *out = {{"name", ConstraintName(con, table, {column}, "fkey")}, {"table", ""}, {"column", to[0]}};
  if (!References(con, out)) return false;
  Deferrable(con, out);
  return true;
}

bool Identity(const json& con, ordered_json* out) {
  if (con.contains("options")) return false;  // sequence options: keep the SQL as written
  std::string when = con.value("generated_when", "a") == "d" ? "BY DEFAULT" : "ALWAYS";
  *out = {{"identity", {{"user_specified_values", when}}}};
  return true;
}

// Applies one column constraint to the column's fields; false when pleat cannot say it.
bool ApplyColumnConstraint(const std::string& text, const std::string& table, const std::string& column,
                           const json& con, size_t bound, ordered_json* fields) {
  std::string type = con.value("contype", ""), expr;
  if (type == "CONSTR_NOTNULL") (*fields)["nullable"] = false;
  else if (type == "CONSTR_NULL") (*fields)["nullable"] = true;
  else if (type == "CONSTR_PRIMARY" && !con.contains("conname")) (*fields)["pk"] = true;
  else if (type == "CONSTR_UNIQUE" && !con.contains("conname") && !con.value("nulls_not_distinct", false)) (*fields)["unique"] = true;
  else if (type == "CONSTR_DEFAULT" && ExpressionText(text, con["raw_expr"], bound, &expr)) (*fields)["default"] = expr;
  else if (type == "CONSTR_CHECK" && CheckText(text, con["raw_expr"], &expr))
    (*fields)["check"] = {{"name", ConstraintName(con, table, {column}, "check")}, {"constraint", expr}};
  else if (type == "CONSTR_FOREIGN") return ColumnReferences(con, table, column, &(*fields)["references"]);
  else if (type == "CONSTR_IDENTITY") return Identity(con, &(*fields)["generated"]);
  else if (type == "CONSTR_GENERATED" && ExpressionText(text, con["raw_expr"], bound, &expr))
    (*fields)["generated"] = {{"expression", expr}};
  else return false;
  return true;
}

}  // namespace

bool ColumnObject(const std::string& text, const std::string& table, const json& def, ordered_json* out) {
  std::string name = def.value("colname", ""), type;
  if (def.contains("collClause") || !TypeText(def.value("typeName", json::object()), &type)) return false;
  const json& constraints = def.value("constraints", json::array());
  ordered_json fields = {{"nullable", true}};
  for (size_t i = 0; i < constraints.size(); ++i) {
    size_t bound = i + 1 < constraints.size() ? constraints[i + 1]["Constraint"].value("location", text.size()) : text.size();
    if (!ApplyColumnConstraint(text, table, name, constraints[i]["Constraint"], bound, &fields)) return false;
  }
  if (fields.value("pk", false) || fields.value("generated", ordered_json::object()).contains("identity"))
    fields["nullable"] = false;  // PostgreSQL makes both NOT NULL
  *out = {{"name", name}, {"type", type}};
  for (const char* key : {"pk", "nullable", "unique", "default", "check", "references", "generated"})
    if (fields.contains(key)) (*out)[key] = fields[key];
  return true;
}

bool TableConstraintObject(const std::string& text, const std::string& table, const json& con, ordered_json* out) {
  std::string type = con.value("contype", "");
  std::vector<std::string> keys = Names(con.value("keys", json::array()));
  if (con.contains("including") || con.contains("options") || con.contains("indexspace")) return false;
  if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") {
    bool pk = type == "CONSTR_PRIMARY";
    *out = {{"name", pk ? ConstraintName(con, table, {}, "pkey") : ConstraintName(con, table, keys, "key")},
            {"type", pk ? "primary_key" : "unique"},
            {"columns", keys}};
    if (con.value("nulls_not_distinct", false)) (*out)["nulls_not_distinct"] = true;
  } else if (type == "CONSTR_CHECK") {
    std::string expr;
    if (!CheckText(text, con["raw_expr"], &expr)) return false;
    *out = {{"name", ConstraintName(con, table, {}, "check")}, {"type", "check"}, {"check", expr}};
  } else if (type == "CONSTR_FOREIGN") {
    std::vector<std::string> from = Names(con.value("fk_attrs", json::array()));
    ordered_json ref = {{"table", ""}, {"columns", Names(con.value("pk_attrs", json::array()))}};
    if (!References(con, &ref)) return false;
    *out = {{"name", ConstraintName(con, table, from, "fkey")}, {"type", "foreign_key"}, {"columns", from},
            {"references", ref}};
  } else {
    return false;
  }
  Deferrable(con, out);
  return true;
}

std::string RelationName(const json& tree) { return tree.value("relname", ""); }

std::string Placeholder(const std::string& what) { return kPlaceholder + what; }

}  // namespace pleat::convert
