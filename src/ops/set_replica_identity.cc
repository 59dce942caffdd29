#include "ops/set_replica_identity.h"

#include <algorithm>
#include <cctype>

#include "ops/common.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {
namespace {

// The ALTER TABLE clause for identity `type` (relreplident) with `index`.
std::string IdentityClause(char type, const std::string& index) {
  switch (type) {
    case 'n': return "REPLICA IDENTITY NOTHING";
    case 'f': return "REPLICA IDENTITY FULL";
    case 'i': return "REPLICA IDENTITY USING INDEX " + pg::QuoteIdent(index);
    default: return "REPLICA IDENTITY DEFAULT";
  }
}

Status ParseIdentity(const nlohmann::json& j, const std::string& where, char* type, std::string* index) {
  Status s = parse::FieldReader::RequireObject(j, where);
  if (!s.ok()) return s;
  parse::FieldReader r(j, where);
  std::string name;
  std::optional<std::string> index_name;
  s = r.String("type", &name);
  if (s.ok()) s = r.OptString("index", &index_name);
  if (s.ok()) s = r.Finish();
  if (!s.ok()) return s;
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  *index = index_name.value_or("");
  *type = name == "nothing" ? 'n' : name == "default" ? 'd' : name == "full" ? 'f' : name == "index" ? 'i' : '?';
  if (*type == '?')
    return Status::Invalid(where + ": unknown replica identity type \"" + name + "\"",
                           "use nothing, default, full or index");
  if (*type == 'i' && index->empty())
    return Status::Invalid(where + ": replica identity type index needs `index`", "name a unique index of the table");
  if (*type != 'i' && !index->empty())
    return Status::Invalid(where + ": `index` is only used with type index, not \"" + name + "\"",
                           "remove `index`, or use type index");
  return Status::Ok();
}

}  // namespace

Status SetReplicaIdentity::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<SetReplicaIdentity>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  const nlohmann::json* identity = nullptr;
  s = r.String("table", &op->table_);
  if (s.ok()) s = r.OptObject("identity", &identity);
  if (s.ok()) s = r.Finish();
  if (s.ok() && !identity)
    return Status::Invalid(where + ": \"identity\" is required", "add identity: {type: nothing|default|full|index}");
  if (s.ok()) s = ParseIdentity(*identity, where + " identity", &op->type_, &op->index_);
  if (s.ok()) *out = std::move(op);
  return s;
}

Status SetReplicaIdentity::CheckIndex(const schema::VirtualSchema& schema, const schema::Table& table) const {
  const schema::Index* index = schema.FindIndex(index_);
  if (!index || index->table != table.physical)
    return Status::NotFound("index \"" + index_ + "\" does not exist on table \"" + table_ + "\"",
                            "fix the index name, or create a unique index on the table in an earlier operation");
  if (!index->unique)
    return Status::Invalid("index \"" + index_ + "\" of table \"" + table_ + "\" is not unique, so it cannot identify rows",
                           "name a unique index on NOT NULL columns, or use type full");
  const schema::Column* nullable = nullptr;
  for (const auto& c : index->columns)
    if (const schema::Column* col = table.FindByPhysical(c); col && col->nullable) nullable = col;
  if (!index->predicate.empty() || index->has_expressions || nullable)
    return Status::Invalid("index \"" + index_ + "\" of table \"" + table_ + "\" cannot identify rows: it is partial, "
                               "has an expression or covers a nullable column" +
                               (nullable ? " (\"" + nullable->name + "\")" : ""),
                           "name a unique index on NOT NULL columns, or use type full");
  return Status::Ok();
}

Status SetReplicaIdentity::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  Status s = FindTable(schema, table_, &table);
  if (s.ok() && type_ == 'i') s = CheckIndex(*schema, *table);
  if (!s.ok()) return s;
  table->replica_identity = type_;
  table->replica_identity_index = type_ == 'i' ? index_ : "";
  return Status::Ok();
}

Status SetReplicaIdentity::Start(const schema::VirtualSchema& before, plan::Plan* plan) const {
  plan->AddSql("set", "set the replica identity of table \"" + table_ + "\"",
               {"ALTER TABLE " + PhysicalTable(before, table_) + " " + IdentityClause(type_, index_)});
  return Status::Ok();
}

Status SetReplicaIdentity::Complete(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// Restoring an identity the start step never changed is harmless, so this runs either way.
Status SetReplicaIdentity::Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const {
  const schema::Table* t = before.FindTable(table_);
  plan->AddSql("restore", "restore the replica identity of table \"" + table_ + "\"",
               {"ALTER TABLE IF EXISTS " + PhysicalTable(before, table_) + " " +
                IdentityClause(t->replica_identity, t->replica_identity_index)});
  return Status::Ok();
}

}  // namespace pleat::ops
