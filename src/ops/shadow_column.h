#ifndef PLEAT_OPS_SHADOW_COLUMN_H_
#define PLEAT_OPS_SHADOW_COLUMN_H_
// Shadow columns: how an operation changes a column in a way old writers could
// violate or that changes its representation (type, NOT NULL, check, unique,
// foreign key). The column is rebuilt beside the original as
// `_pleat_new_<column>` with the final type; the new version sees it under the
// column's name, the original stays for the old version, and the engine's sync
// trigger keeps both (old writers: shadow = up(old); new writers: original =
// down(new)) while the backfill fills the shadow. At complete the engine drops
// the original with the trigger; PlanShadows' steps then finish the shadow's
// constraints and give it the original's name.
//
// Use from an operation's Validate() only (Start/Complete/Rollback add nothing
// for the shadow; the planner calls PlanShadows once for the whole migration):
//   schema::Shadow* sh; Status s = ShadowFor(table, "col", &sh);  // once or many times
//   ComposeUp(table, "col", "<up over the version before this op>");
//   ComposeDown(table, "col", "<down over the new version's names>");
//   sh->constraints.push_back(...); column->type / nullable / default_sql = final;
// Each column gets one shadow however many operations touch it: up and down
// compose (the later op's `up` sees the earlier result through `(up1)`).

#include <string>

#include "plan/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// The shadow of visible column `column` of `table`, created on first use: the
// column then maps to the shadow (added, up = the original's value) and the
// original becomes a hidden column (down = the column's value). Fails for an
// identity or generated column, and for tables or columns the migration itself
// creates (change those in the create operation instead). A primary key over
// shadowed columns moves to the shadows at complete (ops/shadow_primary_key.h).
Status ShadowFor(schema::Table* table, const std::string& column, schema::Shadow** out);
// The shadow that `column` maps to, or null when the column is not shadowed.
schema::Shadow* FindShadow(schema::Table* table, const std::string& column);

// Sets the column's up to `up` evaluated over the old version: each column
// `up` names (as `table` shows them now) becomes its old physical column, or
// `(its up)` when it is itself computed (shadowed or added). REQUIRES: shadowed.
void ComposeUp(schema::Table* table, const std::string& column, const std::string& up);
// Sets the original's down to the previous down with `column` replaced by
// `(down)`: `down` maps this operation's new value back to the previous one.
void ComposeDown(schema::Table* table, const std::string& column, const std::string& down);
// (Checks on the new representation: ops::OnPhysicalColumns maps a shadowed
// column to its shadow.)

// Plans every shadow of `after` (whose tables `before`, read from the catalog,
// holds): start adds the shadows with their constraints NOT VALID and builds
// their unique indexes concurrently; validate (run at complete before the point
// of no return, while the originals still exist) validates them; swap (past it,
// before the engine drops the originals) moves primary keys to the shadows;
// complete (after the originals go) attaches and renames; rollback drops the shadows.
Status PlanShadows(const schema::VirtualSchema& before, const schema::VirtualSchema& after, plan::Plan* start,
                   plan::Plan* validate, plan::Plan* swap, plan::Plan* complete, plan::Plan* rollback);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SHADOW_COLUMN_H_
