#ifndef PLEAT_OPS_RENAME_CONSTRAINT_H_
#define PLEAT_OPS_RENAME_CONSTRAINT_H_
// rename_constraint: renames a constraint of a table. Metadata only, and done
// at complete, not start: applications see constraint names (in violation
// errors, which ORMs and drivers map to fields and messages by name), and the
// old version must keep seeing the name it knows while it runs; after complete
// only the new version remains. Start and rollback change nothing.
// The rename runs among the other operations' complete steps, in operation
// order (not with RenamesOnComplete's late renames), so a later operation of
// the same migration that names the constraint by its new name (drop_constraint)
// finds it renamed; the table is still under the physical name `before` shows.
// Renaming a unique or primary key constraint renames its index too.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class RenameConstraint final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "rename_constraint"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  // Fails when `to_` is taken on the table (or, for an index-backed constraint, in the schema).
  Status CheckFreeName(const schema::VirtualSchema& schema, const schema::Table& table,
                       const schema::Constraint& k) const;

  std::string table_;
  std::string from_;
  std::string to_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_RENAME_CONSTRAINT_H_
