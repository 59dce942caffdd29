#ifndef PLEAT_OPS_DROP_COLUMN_H_
#define PLEAT_OPS_DROP_COLUMN_H_
// drop_column: removes a column from the new version. Metadata only until
// complete: the old version still reads and writes the column, so it stays in
// the physical table (no rewrite, no lock) and only the new version's views
// hide it. Rows the new version writes get the column from `down` (an
// expression over the new version's columns), computed by the sync trigger.
// Complete drops it with a brief ACCESS EXCLUSIVE lock (DROP COLUMN changes only
// the catalog); rollback has nothing to undo. Refuses primary key columns.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class DropColumn final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "drop_column"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  // Fails when the column cannot be hidden: a key column, or one this migration made.
  Status CheckDroppable(const schema::Table& table, const schema::Column& column) const;

  std::string table_;
  std::string column_;
  std::optional<std::string> down_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_DROP_COLUMN_H_
