#ifndef PLEAT_PLANNER_MOVE_ORDER_H_
#define PLEAT_PLANNER_MOVE_ORDER_H_
// The lock order of a move's dual writes (part of planner/move_sync.h): every write
// that reaches both tables locks the source rows before the target rows, so an
// old-version and a new-version write of the same row cannot deadlock. An old
// write of the source has that order by itself (its statement locks the source
// row; the AFTER trigger then writes the target). A new write of the target
// would lock the target row first and the source in its AFTER trigger, so:
//  - UPDATE/DELETE through the new version's view of the target: the view's
//    qual calls a function that locks the row's source rows. A scan evaluates
//    quals before the UPDATE locks the row (a BEFORE trigger would be too late).
//    Statement triggers on the target flag the statements that write it, so the
//    qual locks nothing in reads. The function lives in the version schema and
//    goes with its views, which depend on it.
//  - INSERT (and upsert) into the target: a BEFORE INSERT row trigger locks
//    them (the view's check option runs only after the row is in the table).
// Pure planning: no SQL runs here.

#include <string>
#include <vector>

#include "planner/view_spec.h"
#include "schema/virtual_schema.h"

namespace pleat::planner {

// The trigger function and the triggers on the target.
// REQUIRES: `vs` is the new version schema; LockOrderDropSql ran first (replays).
std::vector<std::string> LockOrderStartSql(const schema::Move& m, const std::string& schema, const std::string& vs);
// Drops what LockOrderStartSql creates (IF EXISTS).
std::vector<std::string> LockOrderDropSql(const schema::Move& m, const std::string& schema);
// The locking function and the qual of the target's view, in the new version's
// `views`; the qual reads the key from physical column `key_column` (the key's
// shadow when the migration replaces it: the view may not depend on a column
// complete drops).
void AddLockOrderQual(const schema::Move& m, const std::string& key_column, ViewSpec* views);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_MOVE_ORDER_H_
