// CreateConstraint's parsing and its checks against the table (declared in
// ops/create_constraint.h): everything that can reject the operation before
// the virtual schema changes.
#include "ops/constraint_support.h"
#include "ops/create_constraint.h"
#include "parse/field_reader.h"

namespace pleat::ops {

Status CreateConstraint::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<CreateConstraint>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);  // table, up, down; TableConstraint reads the rest strictly
  const nlohmann::json *up = nullptr, *down = nullptr;
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.OptObject("up", &up);
  if (s.ok()) s = r.OptObject("down", &down);
  if (s.ok()) s = ParseColumnMap(up, where + " up", &op->up_);
  if (s.ok()) s = ParseColumnMap(down, where + " down", &op->down_);
  nlohmann::json rest = body;
  for (const char* key : {"table", "up", "down"}) rest.erase(key);
  if (s.ok()) s = TableConstraint::Parse(rest, where, &op->k_);
  if (s.ok() && op->k_.type == "exclude")
    return Status::Invalid(where + ": create_constraint does not take exclude constraints",
                           "use check, unique, foreign_key or primary_key, or create the table with the constraint");
  if (s.ok() && op->k_.columns.empty())
    return Status::Invalid(where + ": constraint \"" + op->k_.name + "\" needs `columns`",
                           "list the columns the constraint covers, with `up` and `down` for each");
  if (s.ok()) *out = std::move(op);
  return s;
}

Status CreateConstraint::Check(const schema::VirtualSchema& schema, const schema::Table& table) const {
  std::string what = "constraint \"" + k_.name + "\" of table \"" + table_ + "\"";
  if (k_.type == "primary_key" && !table.primary_key.empty())
    return Status::Invalid("table \"" + table_ + "\" already has a primary key", "drop it first with a `sql` operation");
  if (k_.nulls_not_distinct && !table.created)
    return Status::Invalid(what + ": nulls_not_distinct is supported only on a table this migration creates",
                           "leave nulls_not_distinct out, or add a unique index with `sql`");
  std::vector<std::string> physical;
  for (const auto& c : k_.columns) physical.push_back(PhysicalColumn(table, c));
  Status s = k_.Validate(schema, table);
  if (s.ok()) s = CheckColumnMap(up_, table, physical, k_.name, "up");
  if (s.ok()) s = CheckColumnMap(down_, table, physical, k_.name, "down");
  return s;
}

}  // namespace pleat::ops
