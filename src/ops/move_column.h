#ifndef PLEAT_OPS_MOVE_COLUMN_H_
#define PLEAT_OPS_MOVE_COLUMN_H_
// move_column: moves one column to an existing table related to its table by a
// one-column foreign key, in either direction (users.address into profiles,
// whose user_id references users; or back). The new version sees the column
// only in the target table; the old version only in the source. The target
// column is an added column whose `up` reads the source row, so the engine's
// sync and backfill fill it; planner/move_sync.h carries writes across. Complete
// drops the source column; rollback the target column.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class MoveColumn final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "move_column"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  Status Link(const schema::Table& source, const schema::Table& target, schema::Move* move) const;
  Status CheckColumn(const schema::Table& source, const schema::Table& target, const schema::Column* column) const;

  std::string table_;
  std::string column_;
  std::string to_;
  std::optional<std::string> name_;  // in the target; default: column_
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_MOVE_COLUMN_H_
