#ifndef PLEAT_OPS_SET_REPLICA_IDENTITY_H_
#define PLEAT_OPS_SET_REPLICA_IDENTITY_H_
// set_replica_identity: sets what logical replication records to identify
// updated and deleted rows (nothing, default = primary key, full = whole row,
// or a unique index). Metadata only, at start: the identity belongs to the
// table, which both versions share, and neither version's reads or writes can
// tell it changed. ALTER TABLE ... REPLICA IDENTITY changes only the catalog
// (no scan, no rewrite), so its lock is brief. Rollback restores the identity
// the catalog held before (Table::replica_identity); complete has nothing to do.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ops/operation.h"

namespace pleat::ops {

class SetReplicaIdentity final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "set_replica_identity"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;

 private:
  // Fails unless `index_` is a unique index of `table` (what PostgreSQL requires).
  Status CheckIndex(const schema::VirtualSchema& schema, const schema::Table& table) const;

  std::string table_;
  char type_ = 'd';    // as pg_class.relreplident: d, n, f, i
  std::string index_;  // for 'i'
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SET_REPLICA_IDENTITY_H_
