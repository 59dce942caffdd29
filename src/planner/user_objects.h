#ifndef PLEAT_PLANNER_USER_OBJECTS_H_
#define PLEAT_PLANNER_USER_OBJECTS_H_
// The user's own objects on the tables a migration changes (docs/operations.md,
// "Objects pleat did not create"). RefuseUserObjects reads the catalog while
// planning, so `check` and `start` refuse, before any DDL, what pleat cannot
// carry through yet, with a message naming the object and the way out.
// PlanUserTriggers keeps the backfill from firing the user's triggers: each
// user trigger that a backfill UPDATE would fire gets, for the migration, its
// own definition with a WHEN condition that is false while the setting
// pleat.backfill is 'on' (the backfill sets it in each batch's transaction);
// complete and rollback put the exact original definition back. This needs no
// superuser (CREATE OR REPLACE TRIGGER, PostgreSQL 14+, as the table's owner).
// PlanUserViews rebuilds the user's plain views over a column a shadow
// replaces or that complete retypes in place: complete drops them (their
// definition as read at start) before the old column goes, and creates them
// again, with their owner, options, grants, comments and column defaults, once
// the shadow has the column's name (or after the ALTER TYPE).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "plan/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

// Fails (kInvalid) on the first object pleat cannot handle: an inheritance parent
// the migration syncs; on a partitioned table, a unique or exclusion constraint
// over a column the migration replaces or drops, a partition key column, a
// partition in another schema while a column is replaced, or a foreign-table
// partition while the migration builds an index on it or syncs it; a user object (view,
// materialized view, policy, trigger, foreign key of another table, generated
// column) that depends on a column the migration drops, replaces or retypes in
// place (a plain view over a replaced or retyped column is rebuilt, see
// PlanUserViews, which refuses the views it cannot rebuild); a backfilled table
// published without a replica identity; and a user BEFORE row trigger whose
// name sorts after pleat's sync trigger. `state_schema` lists pleat's own
// version schemas, whose views are no obstacle.
Status RefuseUserObjects(pg::Connection* conn, const std::string& state_schema, const schema::VirtualSchema& before,
                         const schema::VirtualSchema& after);

// `version_schemas` is a text[] literal of pleat's version schemas. Adds the step
// that drops the views over shadowed columns to `drop` and the one that
// rebuilds them to `create`; views over a column retyped in place are dropped
// and rebuilt around the ALTER TYPEs of `retype_sql` (ops::InPlaceRetypeSql),
// in its transaction. Fails on a view pleat cannot rebuild: one that other
// objects depend on, that has triggers or rules of its own, or whose owner
// pleat's role cannot act as.
// `start` gets a step (once the shadows exist) that fails, naming the view, when
// a view's definition does not fit the new column types.
Status PlanUserViews(pg::Connection* conn, const std::string& version_schemas, const schema::VirtualSchema& before,
                     const schema::VirtualSchema& after, plan::Plan* start, plan::Plan* drop, plan::Plan* create,
                     std::vector<std::string>* retype_sql);

// The physical columns of `t` that complete retypes in place (ALTER TYPE, as
// ops::InPlaceRetypeSql); `old` is the table before the migration.
std::vector<std::string> RetypedInPlace(const schema::Table& old, const schema::Table& t);

// The text[] literal of pleat's version schemas (their views are no obstacle), from `state_schema`.
Status VersionSchemas(pg::Connection* conn, const std::string& state_schema, std::string* out);

// `backfill` is the backfill step's payload ([{table, ...}]). Adds the steps that
// exempt the user's triggers to `start` (before the backfill), and those that
// restore them to `complete` and `rollback`. Fails on a user constraint trigger
// the backfill would fire (those cannot be replaced).
Status PlanUserTriggers(pg::Connection* conn, const std::string& schema, const nlohmann::json& backfill,
                        plan::Plan* start, plan::Plan* complete, plan::Plan* rollback);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_USER_OBJECTS_H_
