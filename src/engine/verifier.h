#ifndef PLEAT_ENGINE_VERIFIER_H_
#define PLEAT_ENGINE_VERIFIER_H_
// Verifier: `pleat verify`, the expand/contract pattern's test step, for the
// active migration. Read-only (one REPEATABLE READ READ ONLY transaction, rows
// read in key-range batches, so writes are never blocked). It finds:
//  - tables whose backfill has not finished;
//  - rows where neither new = up(old) nor old = down(new) holds, on every table
//    both versions write (plans["verify"], from the sync planner);
//  - rows that break a constraint `complete` will validate (NOT VALID checks
//    and foreign keys), and indexes pleat built that are left invalid.
// Each kind of problem is one Finding with a count and example keys.
// Borrows the connection; one thread.

#include <string>
#include <vector>

#include "finding.h"
#include "options.h"
#include "pg/connection.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::engine {

// Appends one finding per problem; an empty *out means `complete` may run.
// Fails only when the server does.
Status Verify(pg::Connection* conn, const state::StateStore& state, const state::MigrationRecord& record,
              const Options& options, std::vector<Finding>* out);

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_VERIFIER_H_
