#ifndef PLEAT_OPS_SHADOW_PRIMARY_KEY_H_
#define PLEAT_OPS_SHADOW_PRIMARY_KEY_H_
// Rebuilding a primary key whose columns shadows replace (ops/shadow_column.h),
// as for `id` int -> bigint. Start refuses a NOT VALID foreign key to the key,
// then builds the key's unique index CONCURRENTLY on the shadows (the NOT NULL
// checks come from the shadows themselves). At complete, once those checks are
// validated and while the originals and the sync trigger still exist, one
// transaction moves the key and every foreign key that references it (from any
// table or schema) to the shadows; a later step validates those foreign keys.
// Planned once per table from PlanShadows; the shadow's rollback (DROP COLUMN)
// removes the index.

#include <map>
#include <string>

#include "plan/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// Where the steps go: `start` before every other start step (so its check
// fails while nothing has changed), `after_shadows` at start once every shadow
// exists, `swap` at complete after the shadows' constraints are validated and
// before the engine drops the originals, `after_complete` at complete once the
// shadows have their names.
struct KeyPlans {
  plan::Plan *start, *after_shadows, *swap, *after_complete;
};

// Plans the primary key of physical table `table` of `before` when `shadows`
// (original -> shadow, every shadowed column of the table) replaces one of its
// columns; adds nothing otherwise. Fails for a primary key with an index
// pleat does not rebuild (a tablespace of its own).
Status PlanShadowPrimaryKey(const schema::VirtualSchema& before, const std::string& table,
                            const std::map<std::string, std::string>& shadows, const KeyPlans& plans);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SHADOW_PRIMARY_KEY_H_
