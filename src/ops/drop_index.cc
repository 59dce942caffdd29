#include "ops/drop_index.h"

#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status DropIndex::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<DropIndex>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("name", &op->name_);
  if (s.ok()) s = r.Finish();
  if (s.ok()) *out = std::move(op);
  return s;
}

Status DropIndex::Validate(schema::VirtualSchema* schema) const {
  if (!schema->HasIndex(name_))
    return Status::NotFound("index \"" + name_ + "\" does not exist in schema \"" + schema->schema_name() + "\"",
                            "fix the index name, or remove this operation if the index is already gone");
  const schema::Index* index = schema->FindIndex(name_);
  if (!index->parent.empty())
    return Status::Invalid("index \"" + name_ + "\" is a partition's part of index \"" + index->parent +
                               "\" of a partitioned table, and PostgreSQL cannot drop it alone",
                           "drop index \"" + index->parent + "\" instead");
  // The name stays taken (HasRelationName) until complete drops the index.
  schema->RemoveIndex(name_);
  return Status::Ok();
}

Status DropIndex::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// CONCURRENTLY waits for transactions using the index instead of locking the
// table against them, so traffic never queues behind the drop. PostgreSQL
// cannot drop an index of a partitioned table CONCURRENTLY: that one (and its
// partitions' parts with it) is dropped in a transaction under lock_timeout,
// its lock held for the catalog change only.
Status DropIndex::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Index* index = before.FindIndex(name_);
  if (index && index->partitioned) {
    plan->AddSql("drop", "drop index \"" + name_ + "\" of a partitioned table",
                 {"DROP INDEX IF EXISTS " + pg::QualifiedName(before.schema_name(), name_)});
    return Status::Ok();
  }
  plan->AddConcurrent("drop", "drop index \"" + name_ + "\"",
                      {"DROP INDEX CONCURRENTLY IF EXISTS " + pg::QualifiedName(before.schema_name(), name_)});
  return Status::Ok();
}

Status DropIndex::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
