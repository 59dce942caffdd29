#ifndef PLEAT_CHECK_PREFLIGHT_H_
#define PLEAT_CHECK_PREFLIGHT_H_
// Preflight: the data-aware half of `pleat check`, and the first thing a fresh
// `pleat start` does. For each operation it finds, in the rows of the target
// database, what would make the migration fail or lose data: NULLs left after
// `up` in a NOT NULL column, duplicates under a new unique constraint, rows
// failing a new check or foreign key, `up` or `down` raising for some rows, and
// `down(up(x))` round trips that change the value. Everything runs in one
// REPEATABLE READ READ ONLY transaction under options.preflight's statement
// timeout, rolled back before returning: it changes nothing.
// Severity: violations and raises are errors (the backfill or complete would
// fail, or new-version writes of those rows would); a changed round trip, a
// sample and a check that could not run are warnings.

#include <vector>

#include "finding.h"
#include "migration/migration.h"
#include "options.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::check {

// Appends the findings to *out. Fails when the migration does not validate
// against the catalog or the connection fails; never for what the data holds.
// REQUIRES: `conn` is open and not inside a transaction.
Status RunPreflight(pg::Connection* conn, const Options& options, const migration::Migration& m,
                    std::vector<Finding>* out);

// Runs lint::Lint with the catalog's row estimates of options.schema's tables.
Status RunLint(pg::Connection* conn, const Options& options, const migration::Migration& m,
               std::vector<Finding>* out);

// True when some finding has severity kError.
bool HasErrors(const std::vector<Finding>& findings);

}  // namespace pleat::check

#endif  // PLEAT_CHECK_PREFLIGHT_H_
