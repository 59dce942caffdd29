#ifndef PLEAT_OPS_DROP_CONSTRAINT_H_
#define PLEAT_OPS_DROP_CONSTRAINT_H_
// drop_constraint: removes a single-column check, unique or foreign key
// constraint. Metadata only: the old version may rely on the constraint, so it
// stays in force for every writer until complete, which drops it (a brief
// ACCESS EXCLUSIVE lock; a unique constraint takes its index with it). No
// shadow column, no backfill, no trigger: start and rollback change nothing.
// pgroll's `up`/`down` (which map the column between versions in pgroll's
// copy-based design) are checked but not needed: both versions share the column.
// Consequence: during the migration, the new version's writes must still pass it.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class DropConstraint final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "drop_constraint"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  std::string table_;
  std::string name_;
  std::string up_;
  std::string down_;
};

// The complete step of both drop operations: DROP CONSTRAINT IF EXISTS on the
// physical table `before` shows (a replay finds it gone and does nothing).
void PlanConstraintDrop(const schema::VirtualSchema& before, const std::string& table, const std::string& name,
                        plan::Plan* plan);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_DROP_CONSTRAINT_H_
