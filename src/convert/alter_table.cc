// ALTER TABLE -> add_column, drop_column, alter_column, create_constraint,
// drop_constraint. Every subcommand must convert, or the whole statement stays
// raw SQL (so it never runs half as operations and half as SQL). Where the
// DDL does not say how old and new values map (a type change, SET/DROP NOT
// NULL, a NOT NULL column without a default), the field is a placeholder.
#include "convert/converters.h"
#include "convert/sql_text.h"
#include "parse/expression.h"

namespace pleat::convert {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct Cmd {
  const Statement& st;
  const std::string& table;
  const json& cmd;
  std::string column() const { return cmd.value("name", ""); }
  ConvertedOperation Op(const std::string& key, ordered_json body) const {
    ordered_json full = {{"table", table}};
    full.update(body);
    return {key, full, {}, ""};
  }
};

// A field the user must write: the placeholder value and, above it, what to write.
void NeedField(ConvertedOperation* op, const std::string& field, const std::string& what, const std::string& note) {
  op->body[field] = Placeholder(what);
  op->notes[field] = note + "\npleat refuses this file until you replace the TODO.";
}

bool AddColumn(const Cmd& c, std::vector<ConvertedOperation>* out) {
  ordered_json column;
  const json& def = c.cmd.value("def", json::object()).value("ColumnDef", json::object());
  if (c.cmd.value("missing_ok", false) || !ColumnObject(c.st.text, c.table, def, &column)) return false;
  std::string name = column["name"].get<std::string>();
  ConvertedOperation op = c.Op("add_column", {{"column", column}});
  if (!column.value("nullable", true) && !column.contains("default") && !column.contains("generated"))
    NeedField(&op, "up", "the value of " + name + " for existing rows",
              "up: an expression over the table's other columns giving \"" + name +
                  "\" for existing rows and for rows the old version writes (the DDL has NOT NULL and no default)");
  out->push_back(op);
  return true;
}

bool AlterType(const Cmd& c, std::vector<ConvertedOperation>* out) {
  const json& def = c.cmd.value("def", json::object()).value("ColumnDef", json::object());
  std::string type, col = c.column(), up;
  if (def.contains("collClause") || !TypeText(def.value("typeName", json::object()), &type)) return false;
  ConvertedOperation op = c.Op("alter_column", {{"column", col}, {"type", type}});
  if (def.contains("raw_default") && ExpressionText(c.st.text, def["raw_default"], c.st.text.size(), &up))
    op.body["up"] = up;  // the USING clause
  else if (def.contains("raw_default"))
    return false;
  else
    NeedField(&op, "up", "the new value from the old columns",
              "up: the new value of \"" + col + "\" computed from the old columns, e.g. " + SqlName(col) + "::" + type);
  NeedField(&op, "down", "the old value from the new columns",
            "down: the old value of \"" + col + "\" for rows the new version writes, e.g. " + SqlName(col) +
                "::<old type>; make it handle values the old type cannot hold");
  out->push_back(op);
  return true;
}

bool Nullability(const Cmd& c, bool not_null, std::vector<ConvertedOperation>* out) {
  std::string col = c.column();
  ConvertedOperation op = c.Op("alter_column", {{"column", col}, {"nullable", !not_null}});
  if (not_null)
    NeedField(&op, "up", "a value for rows where " + col + " is NULL",
              "up: \"" + col + "\" with NULLs replaced, e.g. coalesce(" + SqlName(col) + ", <value>)");
  else
    NeedField(&op, "down", "a value the old version accepts where " + col + " is NULL",
              "down: what the old version (which requires a value) sees when the new version writes NULL, e.g. "
              "coalesce(" + SqlName(col) + ", <value>)");
  out->push_back(op);
  return true;
}

bool Default(const Cmd& c, std::vector<ConvertedOperation>* out) {
  std::string expr;
  if (!c.cmd.contains("def")) {
    out->push_back(c.Op("alter_column", {{"column", c.column()}, {"default", nullptr}}));
    return true;
  }
  if (!ExpressionText(c.st.text, c.cmd["def"], c.st.text.size(), &expr)) return false;
  out->push_back(c.Op("alter_column", {{"column", c.column()}, {"default", expr}}));
  return true;
}

bool AddConstraint(const Cmd& c, std::vector<ConvertedOperation>* out) {
  const json& con = c.cmd.value("def", json::object()).value("Constraint", json::object());
  ordered_json k;
  if (con.contains("indexname") || !TableConstraintObject(c.st.text, c.table, con, &k)) return false;
  if (k["type"] == "check") {  // create_constraint rebuilds the columns the check reads
    parse::Expression e;
    if (!parse::Expression::Parse(k["check"].get<std::string>(), &e).ok() || e.ReferencedColumns().empty())
      return false;
    ordered_json body = {{"name", k["name"]}, {"type", "check"}, {"columns", e.ReferencedColumns()}, {"check", k["check"]}};
    k = body;
  }
  ConvertedOperation op = c.Op("create_constraint", k);
  op.notes["columns"] = "rows that break the constraint stop the migration; to fix them on the way, add\n"
                        "up: {<column>: <expression giving a valid value>} (see docs/operations.md)";
  out->push_back(op);
  return true;
}

bool DropConstraint(const Cmd& c, std::vector<ConvertedOperation>* out) {
  if (c.cmd.value("missing_ok", false) || c.cmd.value("behavior", "") == "DROP_CASCADE") return false;
  out->push_back(c.Op("drop_multicolumn_constraint", {{"name", c.column()}}));
  return true;
}

bool DropColumn(const Cmd& c, std::vector<ConvertedOperation>* out) {
  if (c.cmd.value("missing_ok", false) || c.cmd.value("behavior", "") == "DROP_CASCADE") return false;
  ConvertedOperation op = c.Op("drop_column", {{"column", c.column()}});
  op.notes["column"] = "until complete the old version still has the column; rows the new version writes get its\n"
                       "default, or add down: <expression over the new columns> to give them a value";
  out->push_back(op);
  return true;
}

bool ConvertCmd(const Cmd& c, std::vector<ConvertedOperation>* out) {
  std::string subtype = c.cmd.value("subtype", "");
  if (subtype == "AT_AddColumn") return AddColumn(c, out);
  if (subtype == "AT_DropColumn") return DropColumn(c, out);
  if (subtype == "AT_AlterColumnType") return AlterType(c, out);
  if (subtype == "AT_SetNotNull") return Nullability(c, true, out);
  if (subtype == "AT_DropNotNull") return Nullability(c, false, out);
  if (subtype == "AT_ColumnDefault") return Default(c, out);
  if (subtype == "AT_AddConstraint") return AddConstraint(c, out);
  if (subtype == "AT_DropConstraint") return DropConstraint(c, out);
  return false;
}

}  // namespace

bool ConvertAlterTable(const Statement& st, std::vector<ConvertedOperation>* out) {
  if (st.tree.value("objtype", "") != "OBJECT_TABLE" || st.tree.value("missing_ok", false)) return false;
  std::string table = RelationName(st.tree.value("relation", json::object()));
  std::vector<ConvertedOperation> ops;
  for (const json& cmd : st.tree.value("cmds", json::array()))
    if (!ConvertCmd(Cmd{st, table, cmd.value("AlterTableCmd", json::object())}, &ops)) return false;
  out->insert(out->end(), ops.begin(), ops.end());
  return !ops.empty();
}

}  // namespace pleat::convert
