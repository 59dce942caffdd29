#include "ops/alter_column.h"

#include <algorithm>

#include "ops/common.h"
#include "ops/not_null.h"
#include "ops/shadow_column.h"
#include "ops/shadow_indexes.h"
#include "ops/type_change.h"
#include "parse/expression.h"
#include "pg/quote.h"

namespace pleat::ops {

bool AlterColumn::ChangesType(const schema::Column& column) const { return type_ && !SameType(*type_, column.type); }

bool AlterColumn::RetypesInPlace(const schema::VirtualSchema& schema, const schema::Table& table,
                                 const schema::Column& column) const {
  // ALTER TYPE rebuilds, under its lock, every index on the column that has an
  // expression or a predicate (PostgreSQL cannot tell if it still holds); the
  // shadow path builds those CONCURRENTLY instead.
  for (const auto& index : schema.indexes())
    if (index.table == table.physical && (index.has_expressions || !index.predicate.empty()) &&
        IndexUses(index, column.physical))
      return false;
  return ops::RetypesInPlace(column.type, *type_) && (!up_ || IsColumnOrCast(*up_, {column_}, *type_)) &&
         (!down_ || IsColumnOrCast(*down_, {column_, name_.value_or(column_)}, ""));
}

bool AlterColumn::UsesShadow(const schema::VirtualSchema& schema, const schema::Table& table) const {
  const schema::Column* c = table.FindColumn(column_);
  if (!c) return false;
  for (const auto& sh : table.shadows)
    if (sh.physical == c->physical) return true;  // an earlier operation shadowed it
  return (ChangesType(*c) && !RetypesInPlace(schema, table, *c)) || (nullable_ && *nullable_ != c->nullable) || constraints_.check ||
         constraints_.references || unique_ || ComputesValues(*c);
}

// An `up` or `down` that does more than pass the value on only takes effect on
// a shadow: one shared column cannot hold both versions' values.
bool AlterColumn::ComputesValues(const schema::Column& column) const {
  return (up_ && !IsColumnOrCast(*up_, {column_}, type_.value_or(column.type))) ||
         (down_ && !IsColumnOrCast(*down_, {column_, name_.value_or(column_)}, ""));
}

Status AlterColumn::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Column* column = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindColumn(table, column_, &column);
  if (!s.ok()) return s;
  if (nullable_ == false && column->nullable && !up_)
    return Status::Invalid("making column \"" + column_ + "\" of table \"" + table_ +
                               "\" NOT NULL needs `up` to give existing NULLs a value",
                           "add `up: <expression over the old columns>`, e.g. coalesce(" + column_ + ", ...)");
  const auto& pk = table->primary_key;
  if (nullable_ == true && std::find(pk.begin(), pk.end(), column_) != pk.end())
    return Status::Invalid("cannot make column \"" + column_ + "\" of table \"" + table_ + "\" nullable: it is part of "
                           "the primary key", "leave out `nullable`, or drop the primary key in an earlier migration");
  if (UsesShadow(*schema, *table)) {
    s = ApplyToShadow(schema, table);
  } else {
    if (ChangesType(*column)) column->type = *type_;  // in place, at complete (planner::PlanMigration)
    if (has_default_) column->default_sql = default_;
  }
  if (s.ok() && has_comment_ && !FindShadow(table, column_)) table->MutableColumn(column_)->comment = comment_;
  if (s.ok() && rename_) s = rename_->Validate(schema);
  return s;
}

// Every change of this operation lands on the column's one shadow.
Status AlterColumn::ApplyToShadow(schema::VirtualSchema* schema, schema::Table* table) const {
  std::string what = " of column \"" + column_ + "\"";
  Status s = up_ ? CheckExpressionColumns(*up_, *table, "up" + what) : Status::Ok();
  schema::Shadow* shadow = nullptr;
  if (s.ok()) s = ShadowFor(table, column_, &shadow);
  if (!s.ok()) return s;
  schema::Column* column = table->MutableColumn(column_);
  std::string self = pg::QuoteIdent(column_);
  bool retype = ChangesType(*column);
  ComposeUp(table, column_, up_.value_or(retype ? self + "::" + *type_ : self));
  std::string down = down_.value_or(retype ? self + "::" + column->type : self);
  parse::Expression e;  // `down` may name the column by its new `name`
  if (name_ && parse::Expression::Parse(down, &e).ok()) down = e.RenameColumns({{*name_, self}});
  // pgroll accepts a `down` naming a column the table lacks (its example 35
  // does) and then fails every new-version write; here it is refused, as
  // drop_column refuses it. `down` reads the new version's columns.
  s = CheckExpressionColumns(down, *table, "down" + what);
  if (!s.ok()) return s;
  ComposeDown(table, column_, down);
  if (type_) column->type = *type_;
  if (nullable_ == false && column->nullable) shadow->not_null_name = NotNullName(table->name, column_);
  if (nullable_) column->nullable = *nullable_;
  if (has_default_) column->default_sql = default_;
  else if (retype && column->default_sql) column->default_sql = "(" + *column->default_sql + ")::" + *type_;
  if (has_comment_) shadow->comment = comment_;
  if (constraints_.check) s = CheckExpressionColumns(constraints_.check->constraint, *table, "check" + what);
  if (s.ok() && constraints_.references) {
    const schema::Table* ref = schema->FindTable(constraints_.references->table);
    if (!ref) return Status::NotFound("references names table \"" + constraints_.references->table + "\", which does not exist",
                                      "fix the table name in `references`");
  }
  if (s.ok() && constraints_.check) s = ClaimConstraintName(schema, *table, constraints_.check->name, false);
  if (s.ok() && constraints_.references) s = ClaimConstraintName(schema, *table, constraints_.references->name, false);
  if (s.ok() && unique_) s = ClaimConstraintName(schema, *table, *unique_, true);
  if (s.ok()) AddConstraints(*schema, table, shadow);
  return s;
}

void AlterColumn::AddConstraints(const schema::VirtualSchema& schema, schema::Table* table,
                                 schema::Shadow* shadow) const {
  std::string col = pg::QuoteIdent(shadow->physical);
  if (constraints_.check) {
    parse::ColumnDef physical = constraints_;
    physical.check->constraint = OnPhysicalColumns(constraints_.check->constraint, *table);
    shadow->constraints.push_back({constraints_.check->name, 'c', {shadow->physical}, physical.CheckSql()});
  }
  if (constraints_.references) {
    parse::ColumnDef physical = constraints_;
    physical.references->table = schema.FindTable(constraints_.references->table)->physical;
    shadow->constraints.push_back({constraints_.references->name, 'f', {shadow->physical},
                                   "FOREIGN KEY (" + col + ") " + physical.ReferencesSql(schema.schema_name())});
  }
  if (unique_) shadow->constraints.push_back({*unique_, 'u', {shadow->physical}, ""});
}

// Metadata only: COMMENT changes the catalog; no lock beyond an instant, no row touched.
Status AlterColumn::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* table = before.FindTable(table_);
  if (UsesShadow(before, *table) || !has_comment_) return Status::Ok();
  plan->AddSql("comment", "comment on column \"" + table_ + "\".\"" + column_ + "\"",
               {"COMMENT ON COLUMN " + PhysicalTable(before, table_) + "." +
                pg::QuoteIdent(table->FindColumn(column_)->physical) + " IS " +
                (comment_ ? pg::QuoteLiteral(*comment_) : "NULL")});
  return Status::Ok();
}

// Runs with the renames (RenamesOnComplete), when the table and column carry
// the names `before` shows. SET DEFAULT changes only the catalog.
Status AlterColumn::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  if (has_default_ && !UsesShadow(before, *before.FindTable(table_)))
    plan->AddSql("default", "set the default of \"" + table_ + "\".\"" + column_ + "\"",
                 {"ALTER TABLE " + pg::QualifiedName(before.schema_name(), table_) + " ALTER COLUMN " +
                  pg::QuoteIdent(column_) + (default_ ? " SET DEFAULT " + *default_ : " DROP DEFAULT")});
  return rename_ ? rename_->Complete(before, plan) : Status::Ok();
}

// The shadow goes with the engine's rollback (PlanShadows); a comment set in place is restored.
Status AlterColumn::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* table = before.FindTable(table_);
  if (UsesShadow(before, *table) || !has_comment_) return Status::Ok();
  const schema::Column* column = table->FindColumn(column_);
  plan->AddSql("comment", "restore the comment on \"" + table_ + "\".\"" + column_ + "\"",
               {"COMMENT ON COLUMN " + PhysicalTable(before, table_) + "." + pg::QuoteIdent(column->physical) +
                " IS " + (column->comment ? pg::QuoteLiteral(*column->comment) : "NULL")});
  return Status::Ok();
}


void AlterColumn::AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const {
  const schema::Table* t = after.FindTable(table_);
  const schema::Column* c = t ? t->FindColumn(name_.value_or(column_)) : nullptr;
  if (!c) return;
  if (unique_) out->indexes.push_back(UniqueOn("unique constraint", *unique_, *t, {c->name}));
  if (const auto& ref = constraints_.references)
    out->foreign_keys.push_back(ForeignKeyTo(ref->name, {c->type}, after, ref->table, {ref->column}));
}

}  // namespace pleat::ops
