#include "ops/create_table.h"

#include <set>

#include "ops/common.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status CreateTable::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<CreateTable>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  const nlohmann::json *columns = nullptr, *constraints = nullptr;
  s = r.String("name", &op->name_);
  if (s.ok()) s = r.OptArray("columns", &columns);
  if (s.ok()) s = r.OptString("comment", &op->comment_);
  if (s.ok()) s = r.OptArray("constraints", &constraints);
  if (s.ok()) s = r.Finish();
  if (s.ok() && (!columns || columns->empty()))
    return Status::Invalid(where + ": table \"" + op->name_ + "\" needs at least one column", "add a `columns:` list");
  for (size_t i = 0; s.ok() && i < columns->size(); ++i)
    s = parse::ColumnDef::Parse((*columns)[i], where + " column " + std::to_string(i + 1),
                                    &op->columns_.emplace_back());
  for (size_t i = 0; s.ok() && constraints && i < constraints->size(); ++i)
    s = TableConstraint::Parse((*constraints)[i], where + " constraint " + std::to_string(i + 1),
                               &op->constraints_.emplace_back());
  if (s.ok()) *out = std::move(op);
  return s;
}

Status CreateTable::Validate(schema::VirtualSchema* schema) const {
  Status s = RequireFreeRelationName(*schema, name_);
  if (!s.ok()) return s;
  schema::Table table{name_, name_, /*created=*/true};
  std::set<std::string> seen;
  for (const auto& c : columns_) {
    if (!seen.insert(c.name).second)
      return Status::Invalid("table \"" + name_ + "\" lists column \"" + c.name + "\" twice", "remove one of them");
    schema::Column col{c.name, c.name, c.type, c.nullable && !c.pk, c.default_sql, c.identity.has_value(),
                       c.generated_expression.has_value()};
    table.columns.push_back(col);
    if (c.pk) table.primary_key.push_back(c.name);
    if (c.references && c.references->table != name_) {
      const schema::Table* ref = nullptr;
      s = FindTable(*schema, c.references->table, &ref);
      if (!s.ok()) return s.WithContext("column \"" + c.name + "\" references");
    }
  }
  for (const auto& c : columns_)
    if (c.check) s = CheckExpressionColumns(c.check->constraint, table, "check \"" + c.check->name + "\"");
  for (const auto& k : constraints_) {
    if (s.ok()) s = k.Validate(*schema, table);
    if (k.type == "primary_key") table.primary_key = k.columns;
  }
  // Named constraints: one name per table; one with an index also needs a free relation name.
  for (const auto& c : columns_) {
    if (s.ok() && c.check) s = ClaimConstraintName(schema, table, c.check->name, false);
    if (s.ok() && c.references) s = ClaimConstraintName(schema, table, c.references->name, false);
  }
  for (const auto& k : constraints_)
    if (s.ok()) s = ClaimConstraintName(schema, table, k.name, k.type != "check" && k.type != "foreign_key");
  if (!s.ok()) return s;
  schema->AddTable(table);
  return Status::Ok();
}

// A new table is empty and no application uses it yet, so it is created in one
// statement with all its constraints; the only lock that could wait is the
// SHARE ROW EXCLUSIVE a foreign key takes on the table it references.
Status CreateTable::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const std::string& schema = before.schema_name();
  std::string table = pg::QualifiedName(schema, name_);
  std::vector<std::string> defs;
  std::vector<std::string> pk;
  for (auto c : columns_) {
    if (c.references) c.references->table = before.FindTable(c.references->table) ? before.FindTable(c.references->table)->physical : name_;
    defs.push_back(c.CreateTableSql(schema));
    if (c.pk) pk.push_back(pg::QuoteIdent(c.name));
  }
  if (!pk.empty()) {
    std::string list;
    for (const auto& p : pk) list += (list.empty() ? "" : ", ") + p;
    defs.push_back("PRIMARY KEY (" + list + ")");
  }
  for (const auto& k : constraints_) defs.push_back(k.Sql(before));
  std::string body;
  for (const auto& d : defs) body += (body.empty() ? "\n  " : ",\n  ") + d;
  std::vector<std::string> sql = {"CREATE TABLE " + table + " (" + body + "\n)"};
  if (comment_) sql.push_back("COMMENT ON TABLE " + table + " IS " + pg::QuoteLiteral(*comment_));
  for (const auto& c : columns_)
    if (c.comment)
      sql.push_back("COMMENT ON COLUMN " + table + "." + pg::QuoteIdent(c.name) + " IS " + pg::QuoteLiteral(*c.comment));
  plan->AddSql("create", "create table \"" + name_ + "\"", sql);
  return Status::Ok();
}

Status CreateTable::Complete(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

Status CreateTable::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  plan->AddSql("drop", "drop table \"" + name_ + "\"",
               {"DROP TABLE IF EXISTS " + pg::QualifiedName(before.schema_name(), name_)});
  return Status::Ok();
}


void CreateTable::AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const {
  const schema::Table* t = after.FindTable(name_);
  if (!t) return;
  std::vector<std::string> pk;
  for (const auto& c : columns_) {
    if (c.pk) pk.push_back(c.name);
    if (c.unique) out->indexes.push_back(UniqueOn("unique constraint", pg::FitIdentifier(name_ + "_" + c.name + "_key"), *t, {c.name}));
    if (const auto& ref = c.references)
      out->foreign_keys.push_back(ForeignKeyTo(ref->name, {c.type}, after, ref->table, {ref->column}));
  }
  if (!pk.empty()) out->indexes.push_back(UniqueOn("primary key", pg::FitIdentifier(name_ + "_pkey"), *t, pk));
  std::vector<std::pair<std::string, std::string>> row;
  for (const auto& c : t->columns) row.emplace_back(c.name, c.type);
  for (const auto& c : columns_)
    if (c.check) out->checks.push_back({0, "check \"" + c.check->name + "\" of table \"" + name_ + "\"", row, c.check->constraint});
  for (const auto& k : constraints_) {
    if (k.type == "check") out->checks.push_back({0, "check \"" + k.name + "\" of table \"" + name_ + "\"", row, k.check});
    if (k.type == "unique" || k.type == "primary_key")
      out->indexes.push_back(UniqueOn(k.type == "unique" ? "unique constraint" : "primary key", k.name, *t, k.columns));
    if (k.type != "foreign_key") continue;
    std::vector<std::string> types;
    for (const auto& c : k.columns)
      if (const schema::Column* col = t->FindColumn(c)) types.push_back(col->type);
    out->foreign_keys.push_back(ForeignKeyTo(k.name, types, after, k.ref_table, k.ref_columns));
  }
}

void CreateTable::AddWrittenColumns(std::vector<WrittenColumn>* out) const {
  std::set<std::string> key;  // a table constraint's primary key
  for (const auto& k : constraints_)
    if (k.type == "primary_key") key.insert(k.columns.begin(), k.columns.end());
  for (const auto& c : columns_) out->push_back({name_, c.name, c.type, c.pk || key.count(c.name) > 0, true});
}

}  // namespace pleat::ops
