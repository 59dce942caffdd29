#ifndef PLEAT_OPS_CREATE_TABLE_H_
#define PLEAT_OPS_CREATE_TABLE_H_
// create_table: a new table, with any of pgroll's column options and table
// constraints. The old version does not see it; rollback drops it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/operation.h"
#include "ops/table_constraint.h"
#include "parse/column_def.h"

namespace pleat::ops {

class CreateTable final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "create_table"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  void AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const override;
  void AddWrittenColumns(std::vector<WrittenColumn>* out) const override;

 private:
  std::string name_;
  std::optional<std::string> comment_;
  std::vector<parse::ColumnDef> columns_;
  std::vector<TableConstraint> constraints_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_CREATE_TABLE_H_
