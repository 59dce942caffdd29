#ifndef PLEAT_OPS_SHADOW_INDEXES_H_
#define PLEAT_OPS_SHADOW_INDEXES_H_
// Rebuilding the plain indexes (those backing no constraint) of columns that
// shadows replace: each is built CONCURRENTLY on the shadows at start, from
// the catalog's description of it (method, opclasses, collations, order,
// INCLUDE, storage parameters, and the key expressions and predicate with
// their column references moved to the shadows by libpg_query parse-tree
// locations), and takes the original index's name at complete, after the
// original columns (and with them the original index) are dropped. A key
// expression the new type does not accept fails that CONCURRENTLY build at
// start, with PostgreSQL's message; rollback then removes everything.

#include <map>
#include <string>

#include "plan/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// True when `index` uses physical column `column` as a key, in a key expression,
// as an INCLUDE column or in its predicate (or has an expression pleat cannot parse).
bool IndexUses(const schema::Index& index, const std::string& column);

// `shadows` maps each replaced physical column of `table` to its shadow. The
// indexes are the catalog's (`before`) and those an operation of the migration
// creates (in `after`, Index::created), which start builds on the originals.
Status PlanShadowIndexes(const schema::VirtualSchema& before, const schema::VirtualSchema& after, const std::string& table,
                         const std::map<std::string, std::string>& shadows, plan::Plan* start,
                         plan::Plan* complete);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SHADOW_INDEXES_H_
