// Rules over the raw SQL of a `sql` operation's `up`, read from libpg_query's
// parse tree. Statements on a table the same SQL creates are exempt from the
// locking rules: the table is new, empty and unused, so nothing can wait on it.
#include <algorithm>
#include <set>

#include "lint/rules.h"

namespace pleat::lint {
namespace {

using nlohmann::json;

struct Scan {
  const OpInput& op;
  std::vector<Finding>* out;
  std::set<std::string> new_tables;  // created earlier in the same SQL

  void Add(Severity severity, const std::string& rule, const std::string& object, const std::string& message) {
    out->push_back(MakeFinding(op, severity, rule, object, message));
  }
};

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }
std::string TableObject(const std::string& table) { return "table " + Quoted(table); }
std::string ColumnObject(const std::string& table, const std::string& column) {
  return TableObject(table) + " column " + Quoted(column);
}

std::string LastName(const json& list) {
  if (!list.is_array() || list.empty()) return "";
  return list.back().value("String", json::object()).value("sval", "");
}

// Names of the functions a default expression calls, at any depth.
void CollectFunctions(const json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    auto call = node.find("FuncCall");
    if (call != node.end()) out->push_back(LastName(call->value("funcname", json::array())));
  }
  if (node.is_structured())
    for (const json& child : node) CollectFunctions(child, out);
}

bool IsVolatileCall(const std::string& function) {
  static const char* const kVolatile[] = {"random",           "gen_random_uuid", "uuid_generate_v1",
                                          "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4",
                                          "uuidv7",           "clock_timestamp", "timeofday",
                                          "nextval",          "txid_current"};
  return std::any_of(std::begin(kVolatile), std::end(kVolatile), [&](const char* v) { return function == v; });
}

// What fills every existing row when `def` is added to a table, or "" when nothing does.
std::string RowFiller(const json& def) {
  std::string type = TypeNameOf(def.value("typeName", json::object()));
  if (type.find("serial") != std::string::npos) return "the " + type + " type (a nextval() default)";
  for (const json& c : def.value("constraints", json::array())) {
    const json& con = c.value("Constraint", json::object());
    std::string contype = con.value("contype", "");
    if (contype == "CONSTR_IDENTITY") return "an identity";
    if (contype == "CONSTR_GENERATED") return "a stored generated expression";
    if (contype != "CONSTR_DEFAULT") continue;
    std::vector<std::string> calls;
    CollectFunctions(con.value("raw_expr", json::object()), &calls);
    for (const std::string& f : calls)
      if (IsVolatileCall(f)) return "the volatile default " + f + "()";
  }
  return "";
}

bool HasConstraint(const json& def, const std::string& contype) {
  for (const json& c : def.value("constraints", json::array()))
    if (c.value("Constraint", json::object()).value("contype", "") == contype) return true;
  return false;
}

// json columns and int primary keys, for a column defined in CREATE TABLE or ADD COLUMN.
void CheckColumnDef(Scan* scan, const std::string& table, const json& def, bool is_new, bool table_pk) {
  std::string column = def.value("colname", "");
  std::string type = TypeNameOf(def.value("typeName", json::object()));
  if (IsJsonType(type))
    scan->Add(Severity::kWarning, "json-column", ColumnObject(table, column),
              "column " + Quoted(column) + " is json");
  if (IsSmallIntegerType(type) && (table_pk || HasConstraint(def, "CONSTR_PRIMARY")))
    scan->out->push_back(IntPrimaryKeyFinding(scan->op, table, column, type, is_new));
}

// Columns named by a table-level PRIMARY KEY of a CREATE TABLE.
std::set<std::string> TablePrimaryKey(const json& elements) {
  std::set<std::string> keys;
  for (const json& e : elements) {
    const json& con = e.value("Constraint", json::object());
    if (con.value("contype", "") != "CONSTR_PRIMARY") continue;
    for (const json& k : con.value("keys", json::array())) keys.insert(k.value("String", json::object()).value("sval", ""));
  }
  return keys;
}

void CreateTable(Scan* scan, const json& tree) {
  std::string table = tree.value("relation", json::object()).value("relname", "");
  scan->new_tables.insert(table);
  const json& elements = tree.value("tableElts", json::array());
  std::set<std::string> pk = TablePrimaryKey(elements);
  for (const json& e : elements) {
    auto def = e.find("ColumnDef");
    if (def != e.end()) CheckColumnDef(scan, table, *def, true, pk.count(def->value("colname", "")) > 0);
  }
}

void AddConstraint(Scan* scan, const std::string& table, const json& con) {
  std::string contype = con.value("contype", ""), name = con.value("conname", "");
  std::string object = TableObject(table) + (name.empty() ? "" : " constraint " + Quoted(name));
  bool not_valid = con.value("skip_validation", false);
  if (contype == "CONSTR_CHECK" && !not_valid)
    scan->Add(Severity::kError, "constraint-without-not-valid", object,
              "ADD CONSTRAINT ... CHECK scans the whole table under an ACCESS EXCLUSIVE lock");
  if (contype == "CONSTR_FOREIGN" && !not_valid)
    scan->Add(Severity::kError, "foreign-key-without-not-valid", object,
              "ADD FOREIGN KEY scans the whole table while it blocks writes to it and to the referenced table");
  if ((contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") && !con.contains("indexname"))
    scan->Add(Severity::kError, "unique-constraint-builds-index", object,
              "ADD " + std::string(contype == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY") +
                  " builds its index under an ACCESS EXCLUSIVE lock");
}

void AlterColumnType(Scan* scan, const std::string& table, const std::string& column, const json& def) {
  const json& type_name = def.value("typeName", json::object());
  std::string type = TypeNameOf(type_name);
  bool maybe_in_place = (type == "text" || type == "varchar") && !type_name.contains("typmods") &&
                        !def.contains("raw_default");
  scan->Add(maybe_in_place ? Severity::kWarning : Severity::kError, "column-type-rewrite", ColumnObject(table, column),
            "ALTER COLUMN TYPE " + type +
                (maybe_in_place ? " rewrites the table under an ACCESS EXCLUSIVE lock unless the column is already "
                                  "text or varchar"
                                : " rewrites the table under an ACCESS EXCLUSIVE lock"));
  if (IsJsonType(type))
    scan->Add(Severity::kWarning, "json-column", ColumnObject(table, column), "column " + Quoted(column) + " becomes json");
}

void AlterTableCmd(Scan* scan, const std::string& table, const json& cmd) {
  std::string subtype = cmd.value("subtype", ""), column = cmd.value("name", "");
  const json& def = cmd.value("def", json::object());
  if (subtype == "AT_AddColumn") {
    const json& col = def.value("ColumnDef", json::object());
    std::string filler = RowFiller(col);
    if (!filler.empty())
      scan->Add(Severity::kError, "volatile-default", ColumnObject(table, col.value("colname", "")),
                "ADD COLUMN with " + filler + " rewrites every row under an ACCESS EXCLUSIVE lock");
    CheckColumnDef(scan, table, col, false, false);
  } else if (subtype == "AT_SetNotNull") {
    scan->Add(Severity::kError, "set-not-null", ColumnObject(table, column),
              "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock");
  } else if (subtype == "AT_AddConstraint") {
    AddConstraint(scan, table, def.value("Constraint", json::object()));
  } else if (subtype == "AT_AlterColumnType") {
    AlterColumnType(scan, table, column, def.value("ColumnDef", json::object()));
  } else if (subtype == "AT_DropColumn") {
    scan->Add(Severity::kError, "drop-in-sql", ColumnObject(table, column),
              "DROP COLUMN in raw SQL breaks the running old version, which still reads the column");
  }
}

void AlterTable(Scan* scan, const json& tree) {
  std::string table = tree.value("relation", json::object()).value("relname", "");
  if (scan->new_tables.count(table) || tree.value("objtype", "") != "OBJECT_TABLE") return;
  for (const json& cmd : tree.value("cmds", json::array())) AlterTableCmd(scan, table, cmd.value("AlterTableCmd", json::object()));
}

void Index(Scan* scan, const json& tree) {
  std::string table = tree.value("relation", json::object()).value("relname", "");
  std::string object = "index " + Quoted(tree.value("idxname", "")) + " on " + TableObject(table);
  if (tree.value("concurrent", false))
    scan->Add(Severity::kError, "concurrent-index-in-sql", object,
              "CREATE INDEX CONCURRENTLY cannot run inside the transaction pleat runs a `sql` operation in");
  else if (!scan->new_tables.count(table))
    scan->Add(Severity::kError, "non-concurrent-index", object, "CREATE INDEX without CONCURRENTLY blocks writes to " +
                                                                    TableObject(table) + " while it builds");
}

void Drop(Scan* scan, const json& tree) {
  std::string type = tree.value("removeType", "");
  for (const json& object : tree.value("objects", json::array())) {
    std::string name = LastName(object.value("List", json::object()).value("items", json::array()));
    if (type == "OBJECT_INDEX" && tree.value("concurrent", false))
      scan->Add(Severity::kError, "concurrent-index-in-sql", "index " + Quoted(name),
                "DROP INDEX CONCURRENTLY cannot run inside the transaction pleat runs a `sql` operation in");
    else if (type == "OBJECT_INDEX")
      scan->Add(Severity::kError, "non-concurrent-index", "index " + Quoted(name),
                "DROP INDEX without CONCURRENTLY blocks reads and writes of its table");
    else if (type == "OBJECT_TABLE" && !scan->new_tables.count(name))
      scan->Add(Severity::kError, "drop-in-sql", TableObject(name),
                "DROP TABLE in raw SQL breaks the running old version, which still uses the table");
  }
}

void Rename(Scan* scan, const json& tree) {
  std::string type = tree.value("renameType", "");
  std::string table = tree.value("relation", json::object()).value("relname", "");
  if (scan->new_tables.count(table)) return;
  std::string to = Quoted(tree.value("newname", ""));
  if (type == "OBJECT_COLUMN")
    scan->Add(Severity::kError, "rename-in-sql", ColumnObject(table, tree.value("subname", "")),
              "RENAME COLUMN to " + to + " in raw SQL breaks the running old version, which uses the old name");
  else if (type == "OBJECT_TABLE")
    scan->Add(Severity::kError, "rename-in-sql", TableObject(table),
              "RENAME TO " + to + " in raw SQL breaks the running old version, which uses the old name");
}

// SET LOCAL lock_timeout to a shorter, nonzero value is harmless; anything else
// (0, DEFAULT, RESET, or a session-wide SET) undoes pleat's own lock_timeout.
void SetVariable(Scan* scan, const json& tree) {
  if (tree.value("name", "") != "lock_timeout") return;
  const json& args = tree.value("args", json::array());
  const json& value = args.empty() ? json::object() : args[0].value("A_Const", json::object());
  std::string text = value.contains("sval") ? value["sval"].value("sval", "") : "";
  bool zero = value.contains("ival") ? value["ival"].value("ival", 0) == 0 : text.empty() || text[0] == '0';
  if (tree.value("kind", "") == "VAR_SET_VALUE" && tree.value("is_local", false) && !zero) return;
  scan->Add(Severity::kError, "lock-timeout-override", "",
            "the SQL changes lock_timeout, so its statements may wait for locks while traffic queues behind them");
}

}  // namespace

void LintRawSql(const OpInput& op, const parse::Statements& up, std::vector<Finding>* out) {
  Scan scan{op, out, {}};
  for (const auto& st : up.statements()) {
    if (st.kind == "CreateStmt") CreateTable(&scan, st.tree);
    else if (st.kind == "AlterTableStmt") AlterTable(&scan, st.tree);
    else if (st.kind == "IndexStmt") Index(&scan, st.tree);
    else if (st.kind == "DropStmt") Drop(&scan, st.tree);
    else if (st.kind == "RenameStmt") Rename(&scan, st.tree);
    else if (st.kind == "VariableSetStmt") SetVariable(&scan, st.tree);
  }
}

}  // namespace pleat::lint
