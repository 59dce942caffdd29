#ifndef PLEAT_PLANNER_MOVE_SYNC_H_
#define PLEAT_PLANNER_MOVE_SYNC_H_
// PlanMoves: the dual-write machinery of columns that move between tables
// (schema::Move, from split_table and move_column), added to the plans PlanSync
// made. Per move:
//  - the new version's views of both tables get WITH CHECK OPTION, so an
//    INSERT through them runs the writer-marking qual as UPDATE and DELETE do;
//  - on the source: NOT NULL of the moved columns lifted until complete or
//    rollback (a new-version row gets its values from a target row a statement
//    later), and an AFTER row trigger that copies old-version writes into the
//    target (an upsert when the move creates target rows);
//  - on the target: an AFTER row trigger that copies new-version writes back
//    into the source (and, for created target rows, clears the source's values
//    when the target row goes);
//  - a transaction-local guard (`pleat.moving`) so neither trigger reacts to
//    the other's writes, nor to the backfill's;
//  - the lock order that keeps old and new writes of one row from deadlocking
//    (planner/move_order.h: a qual on the new version's view of the target, and
//    triggers on the target);
//  - the backfill entry that creates target rows for existing source rows;
//  - at complete: the triggers and the source's moved columns dropped;
//    at rollback: the triggers dropped and NOT NULL restored.
// Pure planning: no SQL runs here.

#include <string>

#include "planner/sync_planner.h"
#include "schema/virtual_schema.h"

namespace pleat::planner {

// REQUIRES: `views` is the new version's spec (its version_schema names the version).
void PlanMoves(const schema::VirtualSchema& after, const std::string& state_schema, ViewSpec* views,
               SyncPlans* out);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_MOVE_SYNC_H_
