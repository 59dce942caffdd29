#ifndef PLEAT_OPS_RENAME_TABLE_H_
#define PLEAT_OPS_RENAME_TABLE_H_
// rename_table: gives a table a new name in the new version. Metadata only
// until complete: the physical table keeps its name (no rewrite, no lock), the
// new version's view of it carries the new name and the old version's the old
// one, so both read and write the same rows. Complete renames the physical
// table with a brief ACCESS EXCLUSIVE lock (a catalog change); rollback has
// nothing to undo. Its complete step runs after the other operations' (see
// RenamesOnComplete), so later operations may refer to the table by `to`.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class RenameTable final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "rename_table"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  bool RenamesOnComplete() const override { return true; }

 private:
  std::string from_;
  std::string to_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_RENAME_TABLE_H_
