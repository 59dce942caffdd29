#ifndef PLEAT_OPS_SHADOW_INDEXES_H_
#define PLEAT_OPS_SHADOW_INDEXES_H_
// Rebuilding the plain indexes (those backing no constraint) of columns that
// shadows replace: each is built CONCURRENTLY on the shadows at start, from
// the catalog's description of it (method, opclasses, collations, order,
// INCLUDE, storage parameters, and the predicate with its column references
// moved to the shadows), and takes the original index's name at complete,
// after the original columns (and with them the original index) are dropped.
// An index on an expression over a replaced column is refused: pleat cannot
// rebuild it yet, and dropping it silently could slow the application down.

#include <map>
#include <string>

#include "engine/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// `shadows` maps each replaced physical column of `table` to its shadow.
Status PlanShadowIndexes(const schema::VirtualSchema& before, const std::string& table,
                         const std::map<std::string, std::string>& shadows, engine::Plan* start,
                         engine::Plan* complete);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SHADOW_INDEXES_H_
