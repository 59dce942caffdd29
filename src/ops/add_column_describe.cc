// What add_column builds, described for the checks that run before any DDL
// (Operation::AddCatalogUses, AddPendingConstraints) and for lint
// (AddWrittenColumns). The operation itself is add_column.cc.
#include "ops/add_column.h"
#include "ops/catalog_uses.h"
#include "ops/common.h"
#include "pg/quote.h"

namespace pleat::ops {

void AddColumn::AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const {
  const schema::Table* t = after.FindTable(table_);
  if (!t) return;
  if (column_.unique) out->indexes.push_back(UniqueOn("unique constraint", UniqueName(), *t, {column_.name}));
  if (const auto& ref = column_.references)
    out->foreign_keys.push_back(ForeignKeyTo(ref->name, {column_.type}, after, ref->table, {ref->column}));
}

void AddColumn::AddPendingConstraints(const schema::VirtualSchema& after, const schema::Table& table,
                                      std::vector<schema::Constraint>* out) const {
  const schema::Table* t = after.FindTable(table_);
  if (!t || t->physical != table.physical) return;
  std::string column = pg::QuoteIdent(column_.name);  // an added column's physical name is its name
  if (column_.unique) out->push_back({UniqueName(), 'u', {column_.name}, "UNIQUE (" + column + ")", UniqueName()});
  if (const auto& check = column_.check)
    out->push_back({check->name, 'c', {column_.name}, "CHECK (" + OnPhysicalColumns(check->constraint, *t) + ")"});
  const auto& ref = column_.references;
  const schema::Table* target = ref ? after.FindTable(ref->table) : nullptr;
  const schema::Column* key = target ? target->FindColumn(ref->column) : nullptr;
  if (key)
    out->push_back({ref->name, 'f', {column_.name},
                    "FOREIGN KEY (" + column + ") REFERENCES " +
                        pg::QualifiedName(after.schema_name(), target->physical) + "(" + pg::QuoteIdent(key->physical) +
                        ")"});
}

void AddColumn::AddWrittenColumns(std::vector<WrittenColumn>* out) const {
  out->push_back({table_, column_.name, column_.type, column_.pk});
}

}  // namespace pleat::ops
