#ifndef PLEAT_OPS_ADD_COLUMN_H_
#define PLEAT_OPS_ADD_COLUMN_H_
// add_column: a new column on an existing table. Old writers never write it, so
// its value for their rows comes from `up` (an expression over the old columns),
// computed by the sync trigger for new writes and by the backfill for existing
// rows. NOT NULL, unique, check and foreign key are enforced for new writes at
// once, under the names they end with (violations name them as plain DDL's
// would), and validated for all rows at complete.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/not_null.h"
#include "ops/operation.h"
#include "parse/column_def.h"

namespace pleat::ops {

class AddColumn final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "add_column"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  // What it builds, for check and lint: add_column_describe.cc.
  void AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const override;
  void AddPendingConstraints(const schema::VirtualSchema& after, const schema::Table& table,
                             std::vector<schema::Constraint>* out) const override;
  void AddWrittenColumns(std::vector<WrittenColumn>* out) const override;

 private:
  // True when the default must be evaluated per row (volatile functions):
  // adding it in ADD COLUMN would rewrite the table, so the backfill fills it.
  bool VolatileDefault(const schema::VirtualSchema& schema) const;
  // NOT NULL that existing rows cannot satisfy at ADD COLUMN time goes through a CHECK.
  bool NeedsNotNullCheck(const schema::VirtualSchema& schema) const;
  // The CHECK that holds the NOT NULL until complete.
  std::string NotNullCheckName(const std::string& physical_table) const;
  // The guard that reports its violations as PostgreSQL would (ops/not_null.h).
  NotNullGuard Guard(const schema::VirtualSchema& before) const;
  // The unique constraint's name (`unique: true`), as ADD COLUMN would choose it
  // on the table as this operation names it (after an earlier rename in the file).
  std::string UniqueName() const;

  std::string table_;
  std::optional<std::string> up_;
  parse::ColumnDef column_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_ADD_COLUMN_H_
