#ifndef PLEAT_OPS_SQL_H_
#define PLEAT_OPS_SQL_H_
// sql: raw SQL that pleat runs but cannot model. `up` runs at start (or at
// complete with `onComplete: true`) in one transaction under lock_timeout,
// with the target schema first on the search_path; rollback runs `down` if the
// file gives one and `up` ran, else it leaves the change in place. The SQL is
// parsed at load time, so a syntax error fails before anything runs. Isolated:
// alone in its migration; the new version's views come from the live catalog,
// so tables and columns the SQL creates appear there.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class Sql final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "sql"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  bool IsIsolated() const override { return true; }
  std::string LeftByRollback() const override;

 private:
  std::string up_;
  std::optional<std::string> down_;
  bool on_complete_ = false;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SQL_H_
