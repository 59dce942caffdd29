#include "ops/partitioned_index.h"

#include <algorithm>

#include "pg/quote.h"

namespace pleat::ops {

void PlanPartitionedIndex(const std::string& schema, const schema::Table& table, const std::string& name,
                          const PartitionIndexName& partition_name, const IndexSqlFn& sql, const std::string& id,
                          const std::string& what, plan::Plan* start) {
  for (const auto& p : table.partitions) {
    if (!p.leaf) continue;
    plan::Step step;
    step.id = start->IdFor(id + "." + p.schema + "." + p.name);
    step.description = "build " + what + " on partition \"" + p.name + "\"";
    step.sql = {sql(partition_name(p), pg::QualifiedName(p.schema, p.name), /*concurrently=*/true)};
    step.transactional = false;
    step.payload = {{"invalid_index", pg::QualifiedName(p.schema, partition_name(p))}};
    start->Add(step);
  }
  // Deepest level first, the table itself (level 0) last.
  int depth = 0;
  for (const auto& p : table.partitions) depth = std::max(depth, p.level);
  std::vector<std::string> attach;
  for (int level = depth; level >= 0; --level) {
    std::vector<const schema::Partition*> nodes;
    schema::Partition root{schema, table.physical, "", "", false, 0};
    if (level == 0) nodes.push_back(&root);
    for (const auto& p : table.partitions)
      if (p.level == level && !p.leaf) nodes.push_back(&p);
    for (const schema::Partition* node : nodes) {
      std::string index = level == 0 ? name : partition_name(*node);
      attach.push_back(sql(index, "ONLY " + pg::QualifiedName(node->schema, node->name), /*concurrently=*/false));
      for (const auto& child : table.partitions)
        if (child.parent_schema == node->schema && child.parent == node->name)
          attach.push_back("ALTER INDEX " + pg::QualifiedName(node->schema, index) + " ATTACH PARTITION " +
                           pg::QualifiedName(child.schema, partition_name(child)));
    }
  }
  start->AddSql(id + ".attach", "create " + what + " on \"" + table.physical + "\" and attach its partitions' indexes",
                attach);
}

void PlanDropPartitionedIndex(const std::string& schema, const schema::Table& table, const std::string& name,
                              const PartitionIndexName& partition_name, const std::string& id, plan::Plan* plan) {
  std::vector<std::string> levels = {"DROP INDEX IF EXISTS " + pg::QualifiedName(schema, name)}, leaves;
  for (const auto& p : table.partitions)
    (p.leaf ? leaves : levels)
        .push_back(std::string(p.leaf ? "DROP INDEX CONCURRENTLY IF EXISTS " : "DROP INDEX IF EXISTS ") +
                   pg::QualifiedName(p.schema, partition_name(p)));
  plan->AddSql(id, "drop index \"" + name + "\" of partitioned table \"" + table.physical + "\"", levels);
  plan->AddConcurrent(id + "_parts", "drop the parts of index \"" + name + "\" no partitioned index holds", leaves);
}

}  // namespace pleat::ops
