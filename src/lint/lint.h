#ifndef PLEAT_LINT_LINT_H_
#define PLEAT_LINT_LINT_H_
// Lint: static rules over a loaded migration, including the SQL inside `sql`
// operations (parsed with libpg_query). Each rule has a stable id, an
// explanation and the safe alternative; a rule can be silenced per operation.
// Needs no database; LintContext carries what a live catalog can add.

#include <map>
#include <string>
#include <vector>

#include "finding.h"
#include "migration/migration.h"
#include "status.h"

namespace pleat::lint {

struct LintContext {
  // Estimated rows per table of the target schema, when connected (rules such
  // as "int primary key on a large table" use it); empty otherwise.
  std::map<std::string, long long> table_rows;
};

// Appends one finding per rule that fires. Fails only when the file cannot be read.
Status Lint(const migration::Migration& migration, const LintContext& context, std::vector<Finding>* out);

}  // namespace pleat::lint

#endif  // PLEAT_LINT_LINT_H_
