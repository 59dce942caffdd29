#include "ops/rename_table.h"

#include "ops/common.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status RenameTable::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<RenameTable>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("from", &op->from_);
  if (s.ok()) s = r.String("to", &op->to_);
  if (s.ok()) s = r.Finish();
  if (s.ok() && op->to_.empty()) return Status::Invalid(where + ": \"to\" is empty", "give the table's new name");
  if (s.ok()) *out = std::move(op);
  return s;
}

Status RenameTable::Validate(schema::VirtualSchema* schema) const {
  const schema::Table* table = nullptr;
  Status s = FindTable(*schema, from_, &table);
  if (s.ok()) s = RequireFreeRelationName(*schema, to_);
  if (!s.ok()) return s;
  schema->RenameTable(from_, to_);
  return Status::Ok();
}

// Nothing physical: both versions keep using the same table, each through its
// own view, named as that version expects.
Status RenameTable::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// RENAME TO changes only the catalog; its ACCESS EXCLUSIVE lock is brief.
// Rename steps run last and in operation order, so the physical table now
// carries the name `before` shows: `from` (earlier renames of it are done).
// The journal makes this transactional step exactly-once.
Status RenameTable::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  plan->AddSql("rename", "rename table \"" + from_ + "\" to \"" + to_ + "\"",
               {"ALTER TABLE " + pg::QualifiedName(before.schema_name(), from_) + " RENAME TO " + pg::QuoteIdent(to_)});
  return Status::Ok();
}

Status RenameTable::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
