#include "ops/drop_column.h"

#include <algorithm>

#include "ops/common.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status DropColumn::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<DropColumn>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.String("column", &op->column_);
  if (s.ok()) s = r.OptString("down", &op->down_);
  if (s.ok()) s = r.Finish();
  if (s.ok() && op->down_ && op->down_->empty()) op->down_.reset();
  if (s.ok()) *out = std::move(op);
  return s;
}

Status DropColumn::CheckDroppable(const schema::Table& table, const schema::Column& column) const {
  std::string what = "column \"" + column_ + "\" of table \"" + table_ + "\"";
  const auto& pk = table.primary_key;
  if (std::find(pk.begin(), pk.end(), column_) != pk.end())
    return Status::Invalid("cannot drop " + what + ": it is part of the primary key",
                           "change the primary key in an earlier migration, or drop the whole table");
  for (const auto& sh : table.shadows)
    if (sh.physical == column.physical)
      return Status::Invalid("cannot drop " + what + ": an earlier operation of this migration rebuilds it",
                             "leave out the earlier change of the column, or drop it in a later migration");
  if (table.created || column.added)
    return Status::Invalid("cannot drop " + what + ": this migration creates it",
                           "leave it out of the earlier operation instead of dropping it");
  if (column.name != column.physical)
    return Status::Invalid("cannot drop " + what + ": this migration renames it",
                           "drop the column under its old name and leave out the rename");
  // New writers cannot provide the column; without a value the NOT NULL would reject their rows.
  if (!down_ && !column.nullable && !column.default_sql && !column.identity && !column.generated)
    return Status::Invalid(what + " is NOT NULL without a default, so rows the new version inserts would have no value for it",
                           "add `down: <expression over the new version's columns>`");
  return Status::Ok();
}

Status DropColumn::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Column* column = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindColumn(table, column_, &column);
  if (s.ok()) s = CheckDroppable(*table, *column);
  if (!s.ok()) return s;
  schema::HiddenColumn hidden{column->physical, down_};
  table->columns.erase(table->columns.IndexOf(column_));
  if (down_) s = CheckExpressionColumns(*down_, *table, "down of column \"" + column_ + "\"");
  if (!s.ok()) return s;
  table->hidden.push_back(hidden);
  return Status::Ok();
}

// Nothing physical: the old version still reads and writes the column, so it
// must stay. Hiding it from the new version's views and computing it from
// `down` (the sync trigger the engine plans from `hidden`) needs no table change.
Status DropColumn::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// DROP COLUMN only marks the column dropped in the catalog (no rewrite, no
// scan); its ACCESS EXCLUSIVE lock is held for that instant. Indexes and
// constraints on the column go with it.
Status DropColumn::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Column* column = before.FindTable(table_)->FindColumn(column_);
  plan->AddSql("drop", "drop column \"" + table_ + "\".\"" + column_ + "\"",
               {"ALTER TABLE " + PhysicalTable(before, table_) + " DROP COLUMN IF EXISTS " +
                pg::QuoteIdent(column->physical)});
  return Status::Ok();
}

// Start changed nothing; the engine restores the column's real default.
Status DropColumn::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
