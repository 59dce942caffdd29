// pg::Transaction (pg/transaction.h): work commits only through Commit() or a
// successful Finish(); every other way out (scope exit, failed work, a failed
// setup statement, a failed COMMIT) leaves no transaction open and keeps nothing.
#include <gtest/gtest.h>

#include <utility>

#include "pg/transaction.h"
#include "support/test_db.h"

namespace pleat::pg {
namespace {

using testing::Connect;
using testing::Exec;
using testing::Value;

// SAVEPOINT is refused outside a transaction block: a probe that changes nothing.
bool InTransaction(Connection* conn) {
  bool in = conn->Exec("SAVEPOINT probe").ok();
  if (in) Exec(conn, "RELEASE SAVEPOINT probe");
  return in;
}

struct Db {
  Db() : url(testing::NewDatabase()), conn(Connect(url)), other(Connect(url)) {
    Exec(&conn, "CREATE TABLE t (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)");
  }
  std::string Rows() { return Value(&other, "SELECT count(*) FROM t"); }
  std::string url;
  Connection conn, other;
};

TEST(Transaction, FinishCommitsWorkThatSucceeded) {
  Db db;
  Transaction tx;
  Status s = Transaction::Begin(&db.conn, &tx, "", "SET LOCAL lock_timeout = 100");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(tx.active());
  EXPECT_EQ("100ms", Value(&db.conn, "SHOW lock_timeout"));
  Exec(&db.conn, "INSERT INTO t VALUES (1)");
  EXPECT_EQ("0", db.Rows()) << "not visible before the commit";
  s = tx.Finish(Status::Ok());
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(tx.active());
  EXPECT_EQ("1", db.Rows());
  EXPECT_FALSE(InTransaction(&db.conn));
  EXPECT_EQ("0", Value(&db.conn, "SHOW lock_timeout")) << "SET LOCAL ended with the transaction";
}

TEST(Transaction, ScopeExitRollsBack) {
  Db db;
  {
    Transaction tx;
    ASSERT_TRUE(Transaction::Begin(&db.conn, &tx, "ISOLATION LEVEL REPEATABLE READ").ok());
    EXPECT_EQ("repeatable read", Value(&db.conn, "SHOW transaction_isolation"));
    Exec(&db.conn, "INSERT INTO t VALUES (1)");
  }
  EXPECT_FALSE(InTransaction(&db.conn));
  EXPECT_EQ("0", db.Rows());
}

TEST(Transaction, FinishOfFailedWorkRollsBackAndReturnsItsError) {
  Db db;
  Transaction tx;
  ASSERT_TRUE(Transaction::Begin(&db.conn, &tx).ok());
  Exec(&db.conn, "INSERT INTO t VALUES (1)");
  Status s = tx.Finish(Status::Invalid("the work failed"));
  EXPECT_EQ(Status::Code::kInvalid, s.code());
  EXPECT_NE(std::string::npos, s.ToString().find("the work failed"));
  EXPECT_FALSE(InTransaction(&db.conn));
  EXPECT_EQ("0", db.Rows());
}

TEST(Transaction, FailedSetupLeavesNothingOpen) {
  Db db;
  Transaction tx;
  Status s = Transaction::Begin(&db.conn, &tx, "", "SET LOCAL lock_timeout = 'not a time'");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(tx.active());
  EXPECT_FALSE(InTransaction(&db.conn)) << "BEGIN took, the setup failed: rolled back";
  EXPECT_EQ("1", Value(&db.conn, "SELECT 1")) << "the connection stays usable";
  EXPECT_EQ(Status::Code::kInvalid, tx.Finish(Status::Invalid("begin failed")).code());
}

TEST(Transaction, FailedCommitIsReportedAndKeepsNothing) {
  Db db;
  Transaction tx;
  ASSERT_TRUE(Transaction::Begin(&db.conn, &tx).ok());
  Exec(&db.conn, "INSERT INTO t VALUES (1), (1)");  // the deferred unique check fails at COMMIT
  Status s = tx.Commit();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ("23505", s.sqlstate()) << s.ToString();
  EXPECT_FALSE(tx.active());
  EXPECT_FALSE(InTransaction(&db.conn));
  EXPECT_EQ("0", db.Rows());
}

TEST(Transaction, AMovedTransactionIsEndedOnceByItsNewOwner) {
  Db db;
  Transaction outer;
  {
    Transaction inner;
    ASSERT_TRUE(Transaction::Begin(&db.conn, &inner).ok());
    Exec(&db.conn, "INSERT INTO t VALUES (1)");
    outer = std::move(inner);
    EXPECT_FALSE(inner.active());
  }
  EXPECT_TRUE(InTransaction(&db.conn)) << "the moved-from one did not roll back";
  EXPECT_TRUE(outer.Commit().ok());
  EXPECT_EQ("1", db.Rows());
}

}  // namespace
}  // namespace pleat::pg
