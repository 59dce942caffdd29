#include "ops/drop_constraint.h"

#include "ops/common.h"
#include "ops/constraint_support.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status DropConstraint::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<DropConstraint>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  std::optional<std::string> up, down;
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.String("name", &op->name_);
  if (s.ok()) s = r.OptString("up", &up);
  if (s.ok()) s = r.OptString("down", &down);
  if (s.ok()) s = r.Finish();
  op->up_ = WithoutSelect(up.value_or(""));
  op->down_ = WithoutSelect(down.value_or(""));
  if (s.ok()) *out = std::move(op);
  return s;
}

Status DropConstraint::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Constraint* k = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindConstraint(table, name_, &k);
  if (s.ok()) s = RequireDroppable(*k, *table, "drop_constraint");
  if (!s.ok()) return s;
  if (k->columns.size() != 1)
    return Status::Invalid("constraint \"" + name_ + "\" of table \"" + table_ + "\" covers " +
                               std::to_string(k->columns.size()) + " columns, and drop_constraint takes one",
                           "use drop_multicolumn_constraint, with `up` and `down` per column");
  const schema::Column* column = table->FindByPhysical(k->columns[0]);
  std::string where = column ? " of column \"" + column->name + "\"" : "";
  if (!up_.empty()) s = CheckExpressionColumns(up_, *table, "up" + where);
  if (s.ok() && !down_.empty()) s = CheckExpressionColumns(down_, *table, "down" + where);
  if (!s.ok()) return s;
  ForgetConstraint(schema, table, name_);
  return Status::Ok();
}

// Nothing at start: the constraint keeps protecting the old version's data.
Status DropConstraint::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

Status DropConstraint::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  PlanConstraintDrop(before, table_, name_, plan);
  return Status::Ok();
}

// Start changed nothing, so there is nothing to undo.
Status DropConstraint::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// DROP CONSTRAINT changes only the catalog (and drops a unique constraint's
// index, a file unlink); it reads no rows, so its ACCESS EXCLUSIVE lock is brief.
void PlanConstraintDrop(const schema::VirtualSchema& before, const std::string& table, const std::string& name,
                        plan::Plan* plan) {
  plan->AddSql("drop", "drop constraint \"" + name + "\" of table \"" + table + "\"",
               {"ALTER TABLE " + PhysicalTable(before, table) + " DROP CONSTRAINT IF EXISTS " + pg::QuoteIdent(name)});
}

}  // namespace pleat::ops
