#include "ops/rename_constraint.h"

#include "ops/common.h"
#include "ops/constraint_support.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status RenameConstraint::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<RenameConstraint>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.String("from", &op->from_);
  if (s.ok()) s = r.String("to", &op->to_);
  if (s.ok()) s = r.Finish();
  if (s.ok() && op->to_.empty()) return Status::Invalid(where + ": \"to\" is empty", "give the constraint's new name");
  if (s.ok()) *out = std::move(op);
  return s;
}

Status RenameConstraint::CheckFreeName(const schema::VirtualSchema& schema, const schema::Table& table,
                                       const schema::Constraint& k) const {
  for (const auto& other : table.constraints)
    if (other.name == to_)
      return Status::Invalid("cannot rename constraint \"" + from_ + "\" of table \"" + table_ + "\" to \"" + to_ +
                                 "\": the table already has a constraint of that name",
                             "choose another name, or drop or rename that constraint first");
  if (!k.index.empty() && to_ != k.index && schema.HasRelationName(to_))
    return Status::Invalid("cannot rename " + ConstraintTypeName(k.type) + " constraint \"" + from_ + "\" to \"" + to_ +
                               "\": its index takes the new name, and a relation named \"" + to_ +
                               "\" already exists in schema \"" + schema.schema_name() + "\"",
                           "choose another name");
  return Status::Ok();
}

Status RenameConstraint::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  schema::Constraint* k = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok()) s = FindConstraint(table, from_, &k);
  if (s.ok()) s = CheckFreeName(*schema, *table, *k);
  if (!s.ok()) return s;
  schema->AddConstraintName(table->physical, to_);
  k->name = to_;
  if (const schema::Index* index = k->index.empty() ? nullptr : schema->FindIndex(k->index)) {
    // PostgreSQL renames the index with the constraint; the old name stays taken until complete.
    schema::Index renamed = *index;
    renamed.name = to_;
    schema->RemoveIndex(k->index);
    schema->AddIndex(renamed);
  }
  if (!k->index.empty()) k->index = to_;
  return Status::Ok();
}

// Nothing at start: the old version keeps the name it knows.
Status RenameConstraint::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// RENAME CONSTRAINT changes only the catalog; its lock is brief. The journal
// makes this transactional step exactly-once, so a re-run after a crash skips it.
Status RenameConstraint::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  plan->AddSql("rename", "rename constraint \"" + from_ + "\" of table \"" + table_ + "\" to \"" + to_ + "\"",
               {"ALTER TABLE " + PhysicalTable(before, table_) + " RENAME CONSTRAINT " + pg::QuoteIdent(from_) +
                " TO " + pg::QuoteIdent(to_)});
  return Status::Ok();
}

// Start changed nothing, so there is nothing to undo.
Status RenameConstraint::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
