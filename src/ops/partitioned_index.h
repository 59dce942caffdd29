#ifndef PLEAT_OPS_PARTITIONED_INDEX_H_
#define PLEAT_OPS_PARTITIONED_INDEX_H_
// Building an index on a partitioned table without a long lock. PostgreSQL
// cannot CREATE INDEX CONCURRENTLY on a partitioned table, and a plain CREATE
// INDEX there blocks every write to every partition until all are built. So
// each leaf partition gets its index CONCURRENTLY, one step each (a failed
// build leaves an invalid index the step runner drops before a retry); then
// one short transaction creates the index ON ONLY each partitioned level,
// deepest first, and attaches the level below (ALTER INDEX ... ATTACH
// PARTITION, which does nothing when already attached), so the whole tree
// becomes valid at once. A partition created meanwhile gets its index from
// PostgreSQL. Used by create_index and by the rebuild of indexes on shadows.

#include <functional>
#include <string>

#include "plan/plan.h"
#include "schema/virtual_schema.h"

namespace pleat::ops {

// The CREATE INDEX statement named `name` on `on` ("ONLY schema.table" or
// "schema.partition"), CONCURRENTLY when `concurrently`.
using IndexSqlFn = std::function<std::string(const std::string& name, const std::string& on, bool concurrently)>;
// The name the index gets on a partition.
using PartitionIndexName = std::function<std::string(const schema::Partition& partition)>;

// Adds the steps that build index `name` on partitioned `table` (of `schema`)
// to `start`; step ids start with `id`, descriptions name it as `what`.
void PlanPartitionedIndex(const std::string& schema, const schema::Table& table, const std::string& name,
                          const PartitionIndexName& partition_name, const IndexSqlFn& sql, const std::string& id,
                          const std::string& what, plan::Plan* start);

// Adds to `plan` the steps that drop index `name` of partitioned `table` and
// its partitions' parts, attached or not: the partitioned levels in one
// transaction under lock_timeout (PostgreSQL cannot drop a partitioned index
// CONCURRENTLY; the lock is held for the catalog change only), then each
// leaf's part not attached yet (a build that failed) CONCURRENTLY.
void PlanDropPartitionedIndex(const std::string& schema, const schema::Table& table, const std::string& name,
                              const PartitionIndexName& partition_name, const std::string& id, plan::Plan* plan);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_PARTITIONED_INDEX_H_
