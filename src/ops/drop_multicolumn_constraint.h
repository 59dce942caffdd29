#ifndef PLEAT_OPS_DROP_MULTICOLUMN_CONSTRAINT_H_
#define PLEAT_OPS_DROP_MULTICOLUMN_CONSTRAINT_H_
// drop_multicolumn_constraint: removes a check, unique or foreign key
// constraint over any number of columns. The same path as drop_constraint:
// metadata only, the constraint stays in force for both versions until complete
// drops it; no shadow column, no backfill, no trigger. pgroll's per-column
// `up`/`down` maps are checked (each key a column of the constraint, each
// expression over the table's columns) but not needed, as both versions share
// the columns.

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class DropMulticolumnConstraint final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "drop_multicolumn_constraint"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  std::string table_;
  std::string name_;
  std::map<std::string, std::string> up_, down_;  // column -> expression
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_DROP_MULTICOLUMN_CONSTRAINT_H_
