#ifndef PLEAT_OPS_SHADOW_CONSTRAINTS_H_
#define PLEAT_OPS_SHADOW_CONSTRAINTS_H_
// The constraints of a column replaced by a shadow (ops/shadow_column.h), for
// PlanShadows (ops/shadow_plan.cc): the original's CHECK constraints and
// foreign keys rebuilt on the shadow NOT VALID under temporary names, the
// migration's new ones, and unique constraints built CONCURRENTLY on the
// shadows at start and attached at complete.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"
#include "schema/virtual_schema.h"

namespace pleat::ops {

// Everything one shadow's steps need, in SQL form.
struct ShadowTarget {
  std::string schema;
  std::string table;     // "schema"."table"
  std::string physical;  // the table's physical name
  std::string name;      // the table as the new version shows it
  std::string original, shadow;
  std::string key;       // step-id suffix
  std::map<std::string, std::string> shadows;  // every shadowed column of the table: original -> shadow
};

// A temporary name of `kind` for object `name` of the target's table.
std::string ShadowTemp(const std::string& kind, const ShadowTarget& t, const std::string& name);

// Adds to `sql` the ADD CONSTRAINT ... NOT VALID statements of the original's
// constraints carried over to the shadow and of the new ones; `renames` gets
// (temporary name, final name) of each carried-over one.
void StartShadowConstraints(const schema::Table& old, const schema::Shadow& sh, const ShadowTarget& t,
                            std::vector<std::string>* sql, std::vector<std::pair<std::string, std::string>>* renames);

// Adds to `after_shadows` the CONCURRENTLY builds of the unique indexes on the
// shadows and to `final_sql` the statements that attach them at complete;
// `what` names the column in step descriptions.
void PlanShadowUniques(const schema::Table& old, const schema::Shadow& sh, const ShadowTarget& t,
                       const std::string& what, plan::Plan* after_shadows, std::vector<std::string>* final_sql);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SHADOW_CONSTRAINTS_H_
