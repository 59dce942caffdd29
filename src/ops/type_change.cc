#include "ops/type_change.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "parse/statements.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

using nlohmann::json;

// A type as the parser sees it: `character varying(10)` and `varchar(10)` are
// both {varchar, {10}}; a `pg_catalog.` prefix is dropped.
struct TypeName {
  std::string name;
  std::vector<long> mods;
  bool array = false;
  bool operator==(const TypeName& o) const { return name == o.name && mods == o.mods && array == o.array; }
};

// Reads a TypeName parse node; false for qualified user types and non-constant modifiers.
bool FromNode(const json& node, TypeName* out) {
  std::vector<std::string> names;
  for (const auto& n : node.value("names", json::array()))
    names.push_back(n.value("String", json::object()).value("sval", ""));
  if (names.size() == 2 && names[0] == "pg_catalog") names.erase(names.begin());
  if (names.size() != 1 || names[0].empty()) return false;
  out->name = names[0];
  for (const auto& m : node.value("typmods", json::array())) {
    const json& c = m.value("A_Const", json::object());
    if (!c.contains("ival")) return false;
    out->mods.push_back(c["ival"].value("ival", 0L));  // libpg_query leaves a zero out
  }
  out->array = node.contains("arrayBounds");
  return true;
}

// The one target of `SELECT <expression>`, or null when it is not exactly one expression.
const json* SelectTarget(const std::string& expression, parse::Statements* parsed) {
  if (!parse::Statements::Parse("SELECT " + expression, parsed).ok() || parsed->statements().size() != 1)
    return nullptr;
  // Points into `parsed`: a SELECT with a target list and nothing else (no FROM, ...).
  const json& tree = parsed->statements()[0].tree;
  auto targets = tree.find("targetList");
  if (tree.size() != 3 || targets == tree.end() || targets->size() != 1) return nullptr;
  auto target = (*targets)[0].find("ResTarget");
  if (target == (*targets)[0].end() || target->contains("name") || !target->contains("val")) return nullptr;
  return &target->at("val");
}

bool ParseType(const std::string& type, TypeName* out) {
  parse::Statements parsed;
  const json* val = SelectTarget("NULL::" + type, &parsed);
  if (!val || !val->contains("TypeCast")) return false;
  const json& cast = (*val)["TypeCast"];
  return cast.value("arg", json::object()).contains("A_Const") && FromNode(cast.value("typeName", json::object()), out);
}

// Length or precision modifiers whose widening PostgreSQL's support functions
// (varchar_support, varbit_support, TemporalSimplify) turn into a relabel.
const std::set<std::string> kWidenable = {"varchar", "varbit", "timestamp", "timestamptz", "time", "timetz"};

bool Widens(const TypeName& a, const TypeName& b) {
  if (a == b) return true;
  if (a.array || b.array) return false;
  if ((a.name == "varchar" || a.name == "text") && b.name == "text") return true;  // binary coercible
  if (a.name == "text" && b.name == "varchar" && b.mods.empty()) return true;
  if (a.name != b.name || (!kWidenable.count(a.name) && a.name != "numeric")) return false;
  if (b.mods.empty()) return true;  // no limit: nothing to check
  if (a.mods.empty() || a.mods.size() > 2 || b.mods.size() > 2) return false;
  // numeric_support: the scale must stay (numeric(p) has scale 0), the precision may grow.
  if (a.name == "numeric" && (a.mods.size() > 1 ? a.mods[1] : 0) != (b.mods.size() > 1 ? b.mods[1] : 0)) return false;
  return b.mods[0] >= a.mods[0];
}

bool IsColumn(const json& node, const std::vector<std::string>& columns) {
  const json& fields = node.value("ColumnRef", json::object()).value("fields", json::array());
  if (fields.size() != 1) return false;
  std::string name = fields[0].value("String", json::object()).value("sval", "");
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

}  // namespace

bool RetypesInPlace(const std::string& from, const std::string& to) {
  TypeName a, b;
  return ParseType(from, &a) && ParseType(to, &b) && Widens(a, b);
}

bool SameType(const std::string& a, const std::string& b) {
  TypeName x, y;
  return a == b || (ParseType(a, &x) && ParseType(b, &y) && x == y);
}

bool IsColumnOrCast(const std::string& expression, const std::vector<std::string>& columns,
                    const std::string& cast_to) {
  parse::Statements parsed;
  const json* val = SelectTarget(expression, &parsed);
  if (!val) return false;
  if (IsColumn(*val, columns)) return true;
  const json& cast = val->value("TypeCast", json::object());
  if (!IsColumn(cast.value("arg", json::object()), columns)) return false;
  TypeName written, wanted;
  return cast_to.empty() ||
         (FromNode(cast.value("typeName", json::object()), &written) && ParseType(cast_to, &wanted) && written == wanted);
}

std::vector<std::string> InPlaceRetypeSql(const schema::VirtualSchema& before, const schema::VirtualSchema& after) {
  std::vector<std::string> sql;
  for (const auto& table : after.tables()) {
    const schema::Table* old = before.FindByPhysical(table.physical);
    if (table.created || !old) continue;
    for (const auto& column : table.columns) {
      const schema::Column* was = old->FindByPhysical(column.physical);
      // A shadowed column is `added`: its shadow already has the new type.
      if (column.added || !was || SameType(was->type, column.type)) continue;
      sql.push_back("ALTER TABLE " + pg::QualifiedName(after.schema_name(), table.name) + " ALTER COLUMN " +
                    pg::QuoteIdent(column.name) + " TYPE " + column.type);
    }
  }
  return sql;
}

}  // namespace pleat::ops
