#ifndef PLEAT_PG_TRANSACTION_H_
#define PLEAT_PG_TRANSACTION_H_
// pg::Transaction: one transaction on a Connection, opened by Begin() and ended
// by Commit(), Rollback() or Finish(). One that is still open when it goes out
// of scope rolls back, so an early return never leaves a transaction (and its
// locks) open on the connection. Move-only; the Connection must outlive it.
//
//   pg::Transaction tx;
//   Status s = pg::Transaction::Begin(conn, &tx, "", "SET LOCAL lock_timeout = 500");
//   if (s.ok()) s = conn->Exec(...);
//   return tx.Finish(s);  // COMMIT when s is ok (and COMMIT's own status), else ROLLBACK and s

#include <string>

#include "pg/connection.h"
#include "status.h"

namespace pleat::pg {

class Transaction {
 public:
  Transaction() = default;
  ~Transaction();
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Runs `BEGIN <mode>` and then `setup` (statements such as SET LOCAL), in one
  // round trip. `mode` is "" or e.g. "ISOLATION LEVEL REPEATABLE READ READ ONLY".
  // When it fails, nothing is left open and `out` stays inactive.
  static Status Begin(Connection* conn, Transaction* out, const std::string& mode = "",
                      const std::string& setup = "");

  bool active() const { return conn_ != nullptr; }
  // COMMIT; its status tells whether the work took (a deferred constraint or a
  // serialization failure shows here). The transaction is over either way.
  Status Commit();
  // ROLLBACK now; returns its status.
  Status Rollback();
  // Ends the transaction by the outcome of its work: COMMIT when `work` is ok
  // (returning COMMIT's status), otherwise ROLLBACK and `work`. On an inactive
  // transaction (Begin failed) it returns `work`.
  Status Finish(const Status& work);

 private:
  Connection* conn_ = nullptr;
};

}  // namespace pleat::pg

#endif  // PLEAT_PG_TRANSACTION_H_
