#ifndef PLEAT_OPS_CREATE_INDEX_H_
#define PLEAT_OPS_CREATE_INDEX_H_
// create_index: a new index on an existing table (or one this migration
// creates), built CONCURRENTLY at start so writes never wait for it; both
// versions use it at once. A build that fails (a unique index over duplicate
// rows) leaves an invalid index, which the step runner drops before a retry
// and rollback drops too. Complete has nothing left to do. On a partitioned
// table, each partition's index is built CONCURRENTLY and attached to the
// parent's (ops/partitioned_index.h).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/index_column.h"
#include "ops/operation.h"
#include "parse/expression.h"

namespace pleat::ops {

class CreateIndex final : public Operation {
 public:
  static Status Parse(const nlohmann::json& body, const std::string& where, std::unique_ptr<Operation>* out);

  std::string_view Key() const override { return "create_index"; }
  Status Validate(schema::VirtualSchema* schema) const override;
  Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const override;
  void AddCatalogUses(const schema::VirtualSchema& after, CatalogUses* out) const override;

 private:
  // Checks the fields once they are read; `where` prefixes errors.
  Status CheckFields(const std::string& where) const;
  // The CREATE INDEX statement over `table` (SQL text) with the index columns
  // stored in `physical` (in order) and the predicate already in SQL; named
  // `name` ("": the index's own), CONCURRENTLY unless `concurrently` is false.
  std::string IndexSql(const std::string& table, const std::vector<std::string>& physical,
                       const std::string& predicate, const std::string& name = "", bool concurrently = true) const;
  // The index's name on a partition of a partitioned table.
  std::string PartitionName(const schema::Partition& partition) const;

  std::string name_;
  std::string table_;
  std::vector<IndexColumn> columns_;
  std::optional<parse::Expression> predicate_;
  std::string method_ = "btree";
  std::string storage_parameters_;
  bool unique_ = false;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_CREATE_INDEX_H_
