#ifndef PLEAT_OPS_DROP_INDEX_H_
#define PLEAT_OPS_DROP_INDEX_H_
// drop_index: removes an index. The old version may still rely on it (for
// speed, or a unique index for correctness), so it stays until complete, which
// drops it CONCURRENTLY; start and rollback change nothing on the server.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class DropIndex final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "drop_index"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  std::string name_;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_DROP_INDEX_H_
