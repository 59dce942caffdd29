#ifndef PLEAT_PLANNER_SYNC_PLANNER_H_
#define PLEAT_PLANNER_SYNC_PLANNER_H_
// PlanSync: from the schema before and after a migration, plans the dual-write
// machinery of every table whose old and new representations differ by an `up`
// (columns the new version adds) or a `down` (columns it hides):
//  - writer-marking base defaults on those columns, and matching view defaults,
//    so an INSERT tells its trigger which version it came from;
//  - row triggers that compute the new columns for old writers and the hidden
//    ones for new writers: one BEFORE INSERT, one BEFORE UPDATE OF <referenced
//    columns> (docs/architecture.md, "The shape of the sync triggers");
//  - a statement trigger that clears the writer markers;
//  - the backfill spec for the added columns of existing rows;
//  - their removal at complete and at rollback.
// Pure planning: no SQL runs here.

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "planner/search_path_check.h"
#include "planner/view_spec.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

struct SyncPlans {
  plan::Plan start;              // markers + triggers (before the backfill)
  plan::Plan complete;           // triggers dropped, real defaults back
  plan::Plan rollback;           // the same, for undoing start
  nlohmann::json backfill = nlohmann::json::array();  // [{table, set: [{column, expression}]}]
  // Tables both versions write: [{table, ups: [{column, expression}], downs: [...]}] (see verifier.h).
  nlohmann::json verify = nlohmann::json::array();
};

// `path` decides which trigger functions pin their search_path (see search_path_check.h).
Status PlanSync(const schema::VirtualSchema& before, const schema::VirtualSchema& after,
                const std::string& state_schema, const SearchPathCheck& path, ViewSpec* new_views, SyncPlans* out);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_SYNC_PLANNER_H_
