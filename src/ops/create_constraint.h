#ifndef PLEAT_OPS_CREATE_CONSTRAINT_H_
#define PLEAT_OPS_CREATE_CONSTRAINT_H_
// create_constraint: a check, unique, foreign key or primary key constraint
// over one or more columns of a table.
// On a table this migration creates, nobody but the new version can write it,
// so the constraint is added in place at start (ADD CONSTRAINT on an empty table).
// On an existing table the old version keeps writing rows the new constraint
// may reject, so each constrained column gets a shadow (ops/shadow_column.h):
// `up` fills it for existing rows and old writers, `down` writes new values
// back to the original, and the constraint goes on the shadows:
//   check, foreign key: added NOT VALID at start, VALIDATE at complete (PlanShadows);
//   unique: CREATE UNIQUE INDEX CONCURRENTLY on the shadows at start, before the
//     backfill, then ADD CONSTRAINT ... UNIQUE USING INDEX at complete;
//   primary key: the same index on shadows made NOT NULL (validated CHECK, then
//     SET NOT NULL at complete), then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.
// No step scans the table under a lock that blocks writes. Rollback drops the
// index; the engine drops the shadows and their constraints.

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"
#include "ops/table_constraint.h"

namespace pleat::ops {

class CreateConstraint final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "create_constraint"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  void AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const override;

 private:
  // Checks the constraint against `table` before anything changes.
  Status Check(const schema::VirtualSchema& schema, const schema::Table& table) const;
  // Shadows the constrained columns with composed up/down; REQUIRES: Check passed.
  Status Shadow(schema::Table* table) const;
  // The constraint with every column (and the check) on `table`'s physical columns.
  TableConstraint Physical(const schema::VirtualSchema& schema, const schema::Table& table) const;
  // `before` with this operation applied: the shadows' physical names.
  Status After(const schema::VirtualSchema& before, schema::VirtualSchema* after) const;
  bool Indexed() const { return k_.type == "unique" || k_.type == "primary_key"; }

  std::string table_;
  TableConstraint k_;
  std::map<std::string, std::string> up_, down_;  // column -> expression
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_CREATE_CONSTRAINT_H_
