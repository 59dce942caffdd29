#include "ops/drop_table.h"

#include "ops/common.h"
#include "parse/field_reader.h"
#include "pg/quote.h"

namespace pleat::ops {

Status DropTable::Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out) {
  auto op = std::make_unique<DropTable>();
  Status s = parse::FieldReader::RequireObject(body, where);
  if (!s.ok()) return s;
  parse::FieldReader r(body, where);
  s = r.String("name", &op->name_);
  if (s.ok()) s = r.Finish();
  if (s.ok()) *out = std::move(op);
  return s;
}

Status DropTable::Validate(schema::VirtualSchema* schema) const {
  schema::Table* table = nullptr;
  Status s = FindTable(schema, name_, &table);
  if (!s.ok()) return s;
  // A created table would stay in the new version's views (it hides only old
  // tables); a renamed one would be gone when the rename runs at complete.
  if (table->created)
    return Status::Invalid("cannot drop table \"" + name_ + "\": this migration creates it",
                           "leave out the create_table instead of dropping the table");
  if (table->name != table->physical)
    return Status::Invalid("cannot drop table \"" + name_ + "\": this migration renames it",
                           "drop the table under its old name and leave out the rename");
  schema->RemoveTable(name_);
  return Status::Ok();
}

// Nothing physical: the old version still uses the table. The new version
// schema simply has no view of it.
Status DropTable::Start(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

// Dropping a table only unlinks its files; the ACCESS EXCLUSIVE lock is brief.
// Without CASCADE: a foreign key or view elsewhere that still needs the table
// stops the drop with the server's message instead of vanishing silently.
Status DropTable::Complete(const schema::VirtualSchema& before, plan::Plan* plan) const {
  plan->AddSql("drop", "drop table \"" + name_ + "\"", {"DROP TABLE IF EXISTS " + PhysicalTable(before, name_)});
  return Status::Ok();
}

Status DropTable::Rollback(const schema::VirtualSchema&, plan::Plan*) const { return Status::Ok(); }

}  // namespace pleat::ops
