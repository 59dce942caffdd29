#ifndef PLEAT_STATE_SESSION_H_
#define PLEAT_STATE_SESSION_H_
// OpenSession: the connections pleat does its own work on (the command's, and
// each extra backfill worker's). They show as application_name 'pleat' in
// pg_stat_activity, and their search_path starts with pg_catalog and the
// target schema, then the role's own path: the `up`, `down` and check
// expressions that the backfill, verify and check evaluate resolve their names
// as the pinned trigger functions do (pg_catalog, then the table's schema).
// With options.role set, the session runs SET ROLE to it first. Row-level
// security is off (`row_security = off`): a query of pleat's own work that a
// policy would filter fails instead of silently seeing fewer rows, so a
// backfill, check or verify never skips rows (see check/rights.h).

#include "options.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::state {

// The oldest server pleat works with: 15 (security_invoker views).
constexpr int kMinServerVersion = 150000;

// Fails on a server older than kMinServerVersion, naming the version needed.
Status OpenSession(const Options& options, pg::Connection* out);

}  // namespace pleat::state

#endif  // PLEAT_STATE_SESSION_H_
