#include "ops/common.h"

#include <map>

#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::ops {

Status FindTable(schema::VirtualSchema* schema, const std::string& name, schema::Table** out) {
  const schema::Table* found = nullptr;
  Status s = FindTable(*schema, name, &found);
  if (s.ok()) *out = schema->FindTable(name);
  return s;
}

Status FindTable(const schema::VirtualSchema& schema, const std::string& name, const schema::Table** out) {
  *out = schema.FindTable(name);
  if (*out) return Status::Ok();
  return Status::NotFound("table \"" + name + "\" does not exist in schema \"" + schema.schema_name() + "\"",
                          "fix the table name, or create the table in an earlier operation");
}

Status FindColumn(schema::Table* table, const std::string& name, schema::Column** out) {
  *out = table->MutableColumn(name);
  if (*out) return Status::Ok();
  return Status::NotFound("column \"" + name + "\" does not exist in table \"" + table->name + "\"",
                          "fix the column name, or add the column in an earlier operation");
}

Status RequireFreeRelationName(const schema::VirtualSchema& schema, const std::string& name) {
  if (!schema.HasRelationName(name)) return Status::Ok();
  return Status::Invalid("a table, index or other relation named \"" + name + "\" already exists in schema \"" +
                             schema.schema_name() + "\"",
                         "choose another name");
}

Status ClaimConstraintName(schema::VirtualSchema* schema, const schema::Table& table, const std::string& name,
                           bool indexed) {
  std::string what = "constraint \"" + name + "\" of table \"" + table.name + "\"";
  for (const auto& k : table.constraints)
    if (k.name == name)
      return Status::Invalid(what + " already exists", "choose another name for the new constraint");
  if (schema->HasConstraintName(table.physical, name))
    return Status::Invalid(what + " cannot be created at start: the name is still taken there (an earlier operation "
                               "of this file drops or renames that constraint, which happens only at complete, or "
                               "creates one of that name)",
                           "give the new constraint another name, or drop or rename the old one in an earlier migration");
  if (indexed && schema->HasRelationName(name))
    return Status::Invalid(what + " needs an index named \"" + name + "\", and a relation of that name exists in "
                               "schema \"" + schema->schema_name() + "\" (or stays until complete)",
                           "choose another name for the new constraint");
  schema->AddConstraintName(table.physical, name);
  if (indexed) schema->AddRelationName(name);
  return Status::Ok();
}

Status RequireFreePhysicalColumn(const schema::Table& table, const std::string& name) {
  for (const auto& h : table.hidden)
    if (h.physical == name)
      return Status::Invalid("table \"" + table.name + "\" keeps its column \"" + name + "\" until complete (an "
                                 "earlier operation of this file drops, moves or replaces it), so a new column cannot "
                                 "take that name at start",
                             "give the new column another name, or drop the old one in an earlier migration");
  return Status::Ok();
}

schema::Table WithOldColumns(const schema::Table& table) {
  schema::Table out = table;
  for (const auto& h : table.hidden)
    if (!out.FindColumn(h.physical) && !out.FindByPhysical(h.physical)) out.columns.push_back({h.physical, h.physical});
  return out;
}

std::string PhysicalTable(const schema::VirtualSchema& schema, const std::string& name) {
  const schema::Table* t = schema.FindTable(name);
  return pg::QualifiedName(schema.schema_name(), t ? t->physical : name);
}

Status CheckExpressionColumns(const std::string& text, const schema::Table& table, const std::string& what) {
  parse::Expression e;
  Status s = parse::Expression::Parse(text, &e);
  if (!s.ok()) return s.WithContext(what).WithHint("write `" + what + "` as a single SQL expression");
  for (const auto& ref : e.ReferencedColumns())
    if (!table.FindColumn(ref))
      return Status::NotFound(what + " refers to column \"" + ref + "\", which table \"" + table.name + "\" does not have",
                              "fix the column name in `" + what + "`");
  return Status::Ok();
}

std::string OnPhysicalColumns(const std::string& text, const schema::Table& table) {
  parse::Expression e;
  if (!parse::Expression::Parse(text, &e).ok()) return text;
  std::map<std::string, std::string> physical;
  for (const auto& ref : e.ReferencedColumns())
    if (const schema::Column* c = table.FindColumn(ref); c && c->physical != ref) physical[ref] = pg::QuoteIdent(c->physical);
  return e.RenameColumns(physical);
}

}  // namespace pleat::ops
