#include "ops/constraint_support.h"

#include <algorithm>
#include <cctype>

#include "ops/common.h"
#include "parse/expression.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

// True when visible `column` is stored in one of `columns` (physical), or is
// the shadow an earlier operation of this migration built for one of them.
bool Covers(const schema::Table& table, const std::vector<std::string>& columns, const std::string& column) {
  const schema::Column* c = table.FindColumn(column);
  if (!c) return false;
  std::string stored = c->physical;
  if (std::find(columns.begin(), columns.end(), stored) != columns.end()) return true;  // a constraint on the shadow
  for (const auto& sh : table.shadows)
    if (sh.physical == stored) stored = sh.original;
  return std::find(columns.begin(), columns.end(), stored) != columns.end();
}

}  // namespace

std::string ConstraintTypeName(char type) {
  switch (type) {
    case 'c': return "check";
    case 'u': return "unique";
    case 'p': return "primary key";
    case 'f': return "foreign key";
    case 'x': return "exclusion";
    default: return std::string("type '") + type + "'";
  }
}

Status FindConstraint(schema::Table* table, const std::string& name, schema::Constraint** out) {
  for (auto& k : table->constraints)
    if (k.name == name) {
      *out = &k;
      return Status::Ok();
    }
  return Status::NotFound("constraint \"" + name + "\" does not exist on table \"" + table->name + "\"",
                          "fix the constraint name (psql: \\d " + table->name + " lists them), or remove this "
                          "operation if the constraint is already gone");
}

Status RequireDroppable(const schema::Constraint& k, const schema::Table& table, const std::string& op) {
  if (k.type == 'c' || k.type == 'u' || k.type == 'f') return Status::Ok();
  return Status::Invalid(op + " cannot drop " + ConstraintTypeName(k.type) + " constraint \"" + k.name +
                             "\" of table \"" + table.name + "\": it drops check, unique and foreign key constraints only",
                         "drop it with a `sql` operation, or keep it");
}

std::string WithoutSelect(const std::string& text) {
  parse::Expression e;
  if (text.size() < 7 || parse::Expression::Parse(text, &e).ok()) return text;
  std::string head = text.substr(0, 7);
  std::transform(head.begin(), head.end(), head.begin(), ::tolower);
  if (head != "select " || !parse::Expression::Parse(text.substr(7), &e).ok()) return text;
  return text.substr(7);
}

Status ParseColumnMap(const nlohmann::json* value, const std::string& where, std::map<std::string, std::string>* out) {
  out->clear();
  if (!value) return Status::Ok();
  parse::FieldReader r(*value, where);
  for (auto it = value->begin(); it != value->end(); ++it) {
    std::string text;
    Status s = r.String(it.key(), &text);
    if (!s.ok()) return s;
    (*out)[it.key()] = WithoutSelect(text);
  }
  return Status::Ok();
}

Status CheckColumnMap(const std::map<std::string, std::string>& map, const schema::Table& table,
                      const std::vector<std::string>& columns, const std::string& constraint, const std::string& what) {
  for (const auto& [column, expression] : map) {
    if (!Covers(table, columns, column))
      return Status::Invalid("`" + what + "` names column \"" + column + "\", which constraint \"" + constraint +
                                 "\" of table \"" + table.name + "\" does not cover",
                             "list only the constraint's columns under `" + what + "`");
    Status s = CheckExpressionColumns(expression, table, what + " of column \"" + column + "\"");
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

void ForgetConstraint(schema::VirtualSchema* schema, schema::Table* table, const std::string& name) {
  auto& list = table->constraints;
  auto it = std::find_if(list.begin(), list.end(), [&](const schema::Constraint& k) { return k.name == name; });
  if (it == list.end()) return;
  if (!it->index.empty()) schema->RemoveIndex(it->index);
  list.erase(it);
}

std::string PhysicalColumn(const schema::Table& table, const std::string& column) {
  const schema::Column* c = table.FindColumn(column);
  return c ? c->physical : column;
}

std::string PhysicalColumnList(const schema::Table& table, const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + pg::QuoteIdent(PhysicalColumn(table, c));
  return "(" + out + ")";
}

plan::Step ConcurrentIndexStep(const plan::Plan& plan, const std::string& name, const std::string& description,
                                 const std::string& sql, const std::string& qualified_index) {
  plan::Step step;
  step.id = plan.IdFor(name);
  step.description = description;
  step.sql = {sql};
  step.transactional = false;
  step.payload = {{"invalid_index", qualified_index}};
  return step;
}

std::vector<std::string> RenameIndexColumns(const std::string& qualified_index, const schema::Table& built,
                                            const schema::Table& final, const std::vector<std::string>& columns) {
  std::vector<std::string> sql;
  for (const auto& c : columns) {
    std::string from = PhysicalColumn(built, c), to = PhysicalColumn(final, c);
    for (const auto& sh : final.shadows)
      if (sh.physical == to) to = sh.original;  // an earlier operation's shadow: it takes the original's name
    if (from != to)  // ALTER TABLE renames an index's columns too (ALTER INDEX cannot)
      sql.push_back("ALTER TABLE " + qualified_index + " RENAME COLUMN " + pg::QuoteIdent(from) + " TO " +
                    pg::QuoteIdent(to));
  }
  return sql;
}

}  // namespace pleat::ops
