#ifndef PLEAT_OPS_SPLIT_TABLE_H_
#define PLEAT_OPS_SPLIT_TABLE_H_
// split_table: moves columns of a table into new tables, one row per row of
// it, each new table keyed by a column referencing the table's primary key
// (NOT NULL, UNIQUE, ON DELETE CASCADE). The old version sees the table as it
// was and not the new tables; the new version sees the table without the
// moved columns, and the new tables. planner/move_sync.h keeps both in step and
// backfills the new tables; complete drops the moved columns, rollback the new
// tables.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/operation.h"
#include "ops/split_into.h"

namespace pleat::ops {

class SplitTable final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "split_table"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  Status CheckParent(const schema::Table& parent) const;
  Status CheckInto(const schema::VirtualSchema& schema, const schema::Table& parent, const SplitInto& into,
                   std::vector<std::string>* moved) const;

  std::string table_;
  std::vector<SplitInto> into_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SPLIT_TABLE_H_
