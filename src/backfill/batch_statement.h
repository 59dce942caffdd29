#ifndef PLEAT_BACKFILL_BATCH_STATEMENT_H_
#define PLEAT_BACKFILL_BATCH_STATEMENT_H_
// BatchStatement: what one backfill batch writes, rendered from one table's
// entry of the backfill spec PlanSync produced. The batching loop
// (backfill.cc) owns ranges, checkpoints and retries; this file owns the SQL a
// batch runs over a range and the expressions a failure report names.
// An entry may carry two kinds of work, done by one batch (one transaction):
//  - set: values of the table's added columns (an UPDATE of the range);
//  - children: rows of other tables created for each row of the range
//    (INSERT ... SELECT ... ON CONFLICT DO NOTHING, see planner/move_sync.h).

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace pleat::backfill {

// The statements (the UPDATE last) that backfill the rows of `qualified_table` matching `where`.
// spec: {table, set: [{column, expression, name}],
//        children (optional): [{table, into (qualified), key, source_key, columns: [{column, expression, name}]}]}.
// Its affected-row count is the rows updated, or (without `set`) the rows the
// first child table got.
std::string BatchSql(const nlohmann::json& spec, const std::string& qualified_table, const std::string& where);

// (name the user wrote, SQL expression over the table's columns) of every value
// a batch computes, so a failing batch can be narrowed to a row and expression.
std::vector<std::pair<std::string, std::string>> BatchExpressions(const nlohmann::json& spec);

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_BATCH_STATEMENT_H_
