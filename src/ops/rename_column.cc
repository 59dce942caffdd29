#include "ops/rename_column.h"

#include <algorithm>

#include "ops/common.h"
#include "parse/expression.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status RenameColumn::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<RenameColumn>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.String("from", &op->from_);
  if (s.ok()) s = r.String("to", &op->to_);
  if (s.ok()) s = r.Finish();
  if (s.ok() && op->to_.empty()) return Status::Invalid(where + ": \"to\" is empty", "give the column's new name");
  if (s.ok()) *out = std::move(op);
  return s;
}

Status RenameColumn::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Column* column = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindColumn(table, from_, &column);
  if (!s.ok()) return s;
  if (table->FindColumn(to_))
    return Status::Invalid("cannot rename column \"" + from_ + "\" of table \"" + table_ + "\" to \"" + to_ +
                               "\": the table already has a column \"" + to_ + "\"",
                           "choose another name, or drop or rename that column first");
  column->name = to_;
  std::replace(table->primary_key.begin(), table->primary_key.end(), from_, to_);
  // A `down` of a column dropped earlier names columns as the new version does.
  for (auto& hidden : table->hidden) {
    parse::Expression e;
    if (hidden.down && parse::Expression::Parse(*hidden.down, &e).ok())
      hidden.down = e.RenameColumns({{from_, pg::QuoteIdent(to_)}});
  }
  return Status::Ok();
}

// Nothing physical: both versions keep using the same column, each through its
// own view, which maps the physical name to the name that version expects.
Status RenameColumn::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// RENAME COLUMN changes only the catalog; its ACCESS EXCLUSIVE lock is brief.
// The engine runs rename steps last and in operation order, so at this point
// the table and column carry the names `before` shows (earlier renames done,
// no other step left that uses the physical names). The journal makes this
// transactional step exactly-once, so a re-run after a crash skips it.
Status RenameColumn::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  plan->AddSql("rename", "rename column \"" + table_ + "\".\"" + from_ + "\" to \"" + to_ + "\"",
               {"ALTER TABLE " + pg::QualifiedName(before.schema_name(), table_) + " RENAME COLUMN " +
                pg::QuoteIdent(from_) + " TO " + pg::QuoteIdent(to_)});
  return Status::Ok();
}

Status RenameColumn::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
