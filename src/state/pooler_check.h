#ifndef PLEAT_STATE_POOLER_CHECK_H_
#define PLEAT_STATE_POOLER_CHECK_H_
// RefuseTransactionPooler: pleat keeps session state on its connections (SET
// ROLE, search_path, row_security, lock_timeout around index builds) and runs
// a backfill over many transactions; a transaction pooler (PgBouncer with
// pool_mode=transaction, or a managed pooler in that mode) hands the server
// connection to other clients between transactions, so that state would leak
// to them and pleat's next transaction would run without it. Rather than work
// halfway, pleat refuses at once. The sign is cheap and needs no pooler
// admin access: two client connections of one pleat share a server backend
// (same pg_backend_pid(), or a setting made on one shows on the other), or
// one connection's backend changes between two transactions.

#include "pg/connection.h"
#include "status.h"

namespace pleat::state {

// `main` and `other` are two open connections of this pleat to one server.
Status RefuseTransactionPooler(pg::Connection* main, pg::Connection* other);

}  // namespace pleat::state

#endif  // PLEAT_STATE_POOLER_CHECK_H_
