#include "ops/create_constraint.h"

#include "ops/common.h"
#include "ops/constraint_support.h"
#include "ops/shadow_column.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

// The clause after "CONSTRAINT name " that TableConstraint::Sql renders.
std::string Definition(const TableConstraint& k, const schema::VirtualSchema& schema) {
  return k.Sql(schema).substr(("CONSTRAINT " + pg::QuoteIdent(k.name) + " ").size());
}

}  // namespace

// Every up is read over the version before this operation, so each is composed
// on a copy taken before any of them changes the table.
Status CreateConstraint::Shadow(schema::Table* table) const {
  schema::Shadow* sh = nullptr;
  for (const auto& c : k_.columns) {
    Status s = ShadowFor(table, c, &sh);
    if (!s.ok()) return s.WithContext("constraint \"" + k_.name + "\"");
  }
  const schema::Table base = *table;
  for (const auto& c : k_.columns) {
    schema::Table copy = base;
    ComposeUp(&copy, c, up_.count(c) ? up_.at(c) : pg::QuoteIdent(c));
    table->MutableColumn(c)->up = copy.FindColumn(c)->up;
    ComposeDown(table, c, down_.count(c) ? down_.at(c) : pg::QuoteIdent(c));
    if (k_.type == "primary_key") table->MutableColumn(c)->nullable = false;
  }
  return Status::Ok();
}

TableConstraint CreateConstraint::Physical(const schema::VirtualSchema& schema, const schema::Table& table) const {
  TableConstraint k = k_;
  for (auto& c : k.columns) c = PhysicalColumn(table, c);
  for (auto& c : k.include_columns) c = PhysicalColumn(table, c);
  if (!k.check.empty()) k.check = OnPhysicalColumns(k.check, table);
  if (const schema::Table* ref = schema.FindTable(k.ref_table))
    for (auto& c : k.ref_columns) c = PhysicalColumn(*ref, c);
  return k;
}

Status CreateConstraint::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = Check(*schema, *table);
  if (s.ok()) s = ClaimConstraintName(schema, *table, k_.name, Indexed());
  if (s.ok() && !table->created) s = Shadow(table);
  if (!s.ok()) return s;
  TableConstraint k = Physical(*schema, *table);
  std::string index = Indexed() ? k_.name : "";
  table->constraints.push_back({k_.name, k_.type[0], k.columns, Definition(k, *schema), index});
  if (k_.type == "primary_key") table->primary_key = k_.columns;
  for (const auto& c : k_.columns)
    if (k_.type == "primary_key") table->MutableColumn(c)->nullable = false;
  if (table->created || Indexed()) return Status::Ok();
  // check and foreign key: PlanShadows adds it NOT VALID once every shadow exists (the last one's step).
  schema::Shadow* last = nullptr;
  for (auto& sh : table->shadows)
    for (const auto& c : k.columns)
      if (sh.physical == c) last = &sh;
  last->constraints.push_back(table->constraints.back());
  return Status::Ok();
}

Status CreateConstraint::After(const schema::VirtualSchema& before, schema::VirtualSchema* after) const {
  *after = before;
  return Validate(after);
}

Status CreateConstraint::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  schema::VirtualSchema after;
  Status s = After(before, &after);
  if (!s.ok()) return s;
  const schema::Table& table = *after.FindTable(table_);
  std::string target = PhysicalTable(before, table_), what = "constraint \"" + k_.name + "\" on \"" + table_ + "\"";
  if (table.created) {  // empty, and no version reads it yet: nothing to wait for
    plan->AddSql("add", "add " + what, {"ALTER TABLE " + target + " ADD " + Physical(after, table).Sql(after)});
    return Status::Ok();
  }
  if (!Indexed()) return Status::Ok();  // PlanShadows adds it NOT VALID with the shadows
  TableConstraint k = Physical(after, table);
  std::string sql = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + pg::QuoteIdent(k_.name) + " ON " +
                    target + " " + PhysicalColumnList(table, k_.columns);
  if (!k.include_columns.empty()) sql += " INCLUDE " + PhysicalColumnList(table, k_.include_columns);
  if (!k.storage_parameters.empty()) sql += " WITH (" + k.storage_parameters + ")";
  if (!k.tablespace.empty()) sql += " TABLESPACE " + pg::QuoteIdent(k.tablespace);
  // built concurrently: writes go on while it builds; under the constraint's name
  // (claimed at validation), so a duplicate is reported under it from the start
  plan->Add(ConcurrentIndexStep(*plan, "index", "build the unique index of " + what, sql,
                                pg::QualifiedName(before.schema_name(), k_.name)));
  return Status::Ok();
}

// The engine has swapped the shadows in (validated, NOT NULL set, renamed), so
// attaching the index needs no scan: the lock is brief.
Status CreateConstraint::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  if (before.FindTable(table_)->created || !Indexed()) return Status::Ok();
  std::string sql = "ALTER TABLE " + PhysicalTable(before, table_) + " ADD CONSTRAINT " + pg::QuoteIdent(k_.name) +
                    (k_.type == "unique" ? " UNIQUE" : " PRIMARY KEY") + " USING INDEX " + pg::QuoteIdent(k_.name);
  if (k_.deferrable) sql += k_.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  schema::VirtualSchema after;
  Status s = After(before, &after);
  std::vector<std::string> columns = k_.columns, steps = {sql};
  columns.insert(columns.end(), k_.include_columns.begin(), k_.include_columns.end());
  for (auto& rename : RenameIndexColumns(pg::QualifiedName(before.schema_name(), k_.name), *after.FindTable(table_),
                                         *before.FindTable(table_), columns))
    steps.push_back(std::move(rename));
  plan->AddSql("attach", "make the index of constraint \"" + k_.name + "\" the constraint", steps);
  return s;
}

Status CreateConstraint::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  std::string table = PhysicalTable(before, table_);
  if (before.FindTable(table_)->created)
    plan->AddSql("drop", "drop constraint \"" + k_.name + "\"",
                 {"ALTER TABLE IF EXISTS " + table + " DROP CONSTRAINT IF EXISTS " + pg::QuoteIdent(k_.name)});
  else if (Indexed())
    plan->AddConcurrent("drop_index", "drop the unique index of constraint \"" + k_.name + "\"",
                        {"DROP INDEX CONCURRENTLY IF EXISTS " + pg::QualifiedName(before.schema_name(), k_.name)});
  return Status::Ok();
}


void CreateConstraint::AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const {
  const schema::Table* t = after.FindTable(table_);
  if (!t) return;
  if (k_.type == "unique" || k_.type == "primary_key")
    out->indexes.push_back(UniqueOn(k_.type == "unique" ? "unique constraint" : "primary key", k_.name, *t, k_.columns));
  if (k_.type != "foreign_key") return;
  std::vector<std::string> types;
  for (const auto& c : k_.columns)
    if (const schema::Column* col = t->FindColumn(c)) types.push_back(col->type);
  out->foreign_keys.push_back(ForeignKeyTo(k_.name, types, after, k_.ref_table, k_.ref_columns));
}

}  // namespace pleat::ops
