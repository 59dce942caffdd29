#ifndef PLEAT_OPS_DROP_TABLE_H_
#define PLEAT_OPS_DROP_TABLE_H_
// drop_table: removes a table from the new version. Metadata only until
// complete: the old version still reads and writes the table, so it stays and
// only the new version schema leaves it out (no rewrite, no lock). Complete
// drops it with a brief ACCESS EXCLUSIVE lock; rollback has nothing to undo, so
// the table comes back with all its data. Fails at complete if objects outside
// the table (a foreign key, a view) still depend on it.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class DropTable final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "drop_table"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  std::string name_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_DROP_TABLE_H_
