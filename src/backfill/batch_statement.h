#ifndef PLEAT_BACKFILL_BATCH_STATEMENT_H_
#define PLEAT_BACKFILL_BATCH_STATEMENT_H_
// BatchStatement: what one backfill batch writes, rendered from one table's
// entry of the backfill spec PlanSync produced. The batching loop
// (backfill.cc) owns ranges, checkpoints and retries; this file owns the SQL a
// batch runs over a range and the expressions a failure report names.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace pleat::backfill {

// The statement that backfills the rows of `qualified_table` matching `where`.
// spec: {table, set: [{column, expression, name}]}.
std::string BatchSql(const nlohmann::json& spec, const std::string& qualified_table, const std::string& where);

// (name the user wrote, SQL expression over the table's columns) of every value
// a batch computes, so a failing batch can be narrowed to a row and expression.
std::vector<std::pair<std::string, std::string>> BatchExpressions(const nlohmann::json& spec);

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_BATCH_STATEMENT_H_
