#include "ops/drop_multicolumn_constraint.h"

#include "ops/common.h"
#include "ops/constraint_support.h"
#include "ops/drop_constraint.h"
#include "parse/field_reader.h"

namespace pleat::ops {

Status DropMulticolumnConstraint::Parse(const nlohmann::json& body, const std::string& where,
                                        std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<DropMulticolumnConstraint>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  const nlohmann::json *up = nullptr, *down = nullptr;
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.String("name", &op->name_);
  if (s.ok()) s = r.OptObject("up", &up);
  if (s.ok()) s = r.OptObject("down", &down);
  if (s.ok()) s = r.Finish();
  if (s.ok()) s = ParseColumnMap(up, where + " up", &op->up_);
  if (s.ok()) s = ParseColumnMap(down, where + " down", &op->down_);
  if (s.ok()) *out = std::move(op);
  return s;
}

Status DropMulticolumnConstraint::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Constraint* k = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindConstraint(table, name_, &k);
  if (s.ok()) s = RequireDroppable(*k, *table, "drop_multicolumn_constraint");
  if (s.ok()) s = CheckColumnMap(up_, *table, k->columns, name_, "up");
  if (s.ok()) s = CheckColumnMap(down_, *table, k->columns, name_, "down");
  if (!s.ok()) return s;
  ForgetConstraint(schema, table, name_);
  return Status::Ok();
}

// Nothing at start: the constraint keeps protecting the old version's data.
Status DropMulticolumnConstraint::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

Status DropMulticolumnConstraint::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  PlanConstraintDrop(before, table_, name_, plan);
  return Status::Ok();
}

// Start changed nothing, so there is nothing to undo.
Status DropMulticolumnConstraint::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
