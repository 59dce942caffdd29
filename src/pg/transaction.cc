#include "pg/transaction.h"

#include <utility>

namespace pleat::pg {

Transaction::~Transaction() {
  if (conn_) (void)Rollback();
}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (conn_) (void)Rollback();
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

Status Transaction::Begin(Connection* conn, Transaction* out, const std::string& mode, const std::string& setup) {
  if (out->conn_) (void)out->Rollback();
  std::string sql = mode.empty() ? "BEGIN" : "BEGIN " + mode;
  if (!setup.empty()) sql += "; " + setup;
  Status s = conn->Exec(sql);
  // BEGIN may have taken and a setup statement failed: the transaction is open, and aborted.
  if (!s.ok()) (void)conn->Exec("ROLLBACK");
  else out->conn_ = conn;
  return s;
}

Status Transaction::Commit() {
  if (!conn_) return Status::Invalid("COMMIT without an open transaction (a bug in pleat)");
  Connection* conn = std::exchange(conn_, nullptr);
  Status s = conn->Exec("COMMIT");
  // A failed COMMIT has usually ended the transaction already (a deferred
  // constraint raised); when it has not, nothing of it may be kept.
  if (!s.ok()) (void)conn->Exec("ROLLBACK");
  return s;
}

Status Transaction::Rollback() {
  if (!conn_) return Status::Ok();
  return std::exchange(conn_, nullptr)->Exec("ROLLBACK");
}

Status Transaction::Finish(const Status& work) {
  if (!conn_) return work;
  if (work.ok()) return Commit();
  (void)Rollback();
  return work;
}

}  // namespace pleat::pg
