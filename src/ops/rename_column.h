#ifndef PLEAT_OPS_RENAME_COLUMN_H_
#define PLEAT_OPS_RENAME_COLUMN_H_
// rename_column: gives a column a new name in the new version. Metadata only
// until complete: the physical column keeps its name (no rewrite, no lock), the
// old version's views show the old name and the new version's the new one, so
// both read and write the same data. Complete renames the physical column with
// a brief ACCESS EXCLUSIVE lock (a catalog change); rollback has nothing to undo.
// Its complete step runs after the other operations' (see RenamesOnComplete).

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class RenameColumn final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "rename_column"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  bool RenamesOnComplete() const override { return true; }

 private:
  std::string table_;
  std::string from_;
  std::string to_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_RENAME_COLUMN_H_
