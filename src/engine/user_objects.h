#ifndef PLEAT_ENGINE_USER_OBJECTS_H_
#define PLEAT_ENGINE_USER_OBJECTS_H_
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

#include <string>

#include <nlohmann/json.hpp>

#include "engine/plan.h"
#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::engine {

// Fails (kInvalid) on the first object pleat cannot handle: an inheritance parent
// the migration syncs, an index on a partitioned table over a column the
// migration replaces, or a new index on a partitioned table, a replaced column
// in a partition key, a user object (view, materialized view, policy, trigger,
// foreign key of another table, generated column) that depends on a column the
// migration drops or replaces, a backfilled table published without a replica
// identity, and a user BEFORE row trigger whose name sorts after pleat's sync trigger.
// `state_schema` lists pleat's own version schemas, whose views are no obstacle.
Status RefuseUserObjects(pg::Connection* conn, const std::string& state_schema, const schema::VirtualSchema& before,
                         const schema::VirtualSchema& after);

// `backfill` is the backfill step's payload ([{table, ...}]). Adds the steps that
// exempt the user's triggers to `start` (before the backfill), and those that
// restore them to `complete` and `rollback`. Fails on a user constraint trigger
// the backfill would fire (those cannot be replaced).
Status PlanUserTriggers(pg::Connection* conn, const std::string& schema, const nlohmann::json& backfill,
                        Plan* start, Plan* complete, Plan* rollback);

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_USER_OBJECTS_H_
