// Lock order of moved columns (split_table, move_column). An old-version write
// locks the source row, then its trigger the target row; a new-version write
// of the target must take the source row first too, or the two writes of one
// row deadlock (40P01). Each case orders the race with the server's lock waits:
// v1 locks the source row in an open transaction, v2's write starts and waits,
// then v1 writes the moved column and commits. Both must finish as if they had
// run one after the other, and both tables must agree.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kContracts = R"yaml(
operations:
  - create_table:
      name: contracts
      columns:
        - {name: id, type: serial, pk: true}
        - {name: title, type: text}
        - {name: commission_fee_worker, type: "numeric(10,2)", nullable: true}
)yaml";

const char* kSplit = R"(
operations:
  - split_table:
      table: contracts
      into:
        - {table: contract_workers, key: contract_id, columns: [{from: commission_fee_worker, name: commission_fee}]}
)";

const char* kUsers = R"(
operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: serial, pk: true}
        - {name: address, type: text, nullable: true}
  - create_table:
      name: profiles
      columns:
        - {name: id, type: serial, pk: true}
        - {name: user_id, type: int, references: {name: profiles_user_fk, table: users, column: id}}
        - {name: bio, type: text, nullable: true}
)";

// One race. In v2_write, {vs} stands for the new version schema.
struct RaceCase {
  const char* name;
  const char* setup;        // the completed migration
  const char* setup_sql;    // rows, before the migration under test
  const char* migration;
  const char* after_start;  // SQL once the migration has started
  const char* v1_lock;      // v1 locks the source row, as an UPDATE of another column would
  const char* v2_write;     // waits for v1's lock
  const char* v1_write;     // writes the moved column of the same row
  const char* v2_sqlstate;  // "" when v2's write succeeds
  const char* check;        // query over the physical tables afterwards
  const char* expected;
};

const char* kContractRows =
    "INSERT INTO contracts (title, commission_fee_worker) VALUES ('a', 1), ('b', 2);";
const char* kLockContract = "SELECT 1 FROM contracts WHERE id = 1 FOR NO KEY UPDATE";
const char* kWorkerFee = "UPDATE contracts SET commission_fee_worker = 7 WHERE id = 1";
// contract 1's worker fee in both tables, and the number of contract_workers rows.
const char* kWorkerRow =
    "SELECT p.commission_fee_worker, w.commission_fee, (SELECT count(*) FROM public.contract_workers) "
    "FROM public.contracts p LEFT JOIN public.contract_workers w ON w.contract_id = p.id WHERE p.id = 1";

const RaceCase kCases[] = {
    {"split_update_child", kContracts, kContractRows, kSplit, "", kLockContract,
     "UPDATE {vs}.contract_workers SET commission_fee = 9 WHERE contract_id = 1", kWorkerFee, "", kWorkerRow,
     "9.00|9.00|2"},
    {"split_delete_child", kContracts, kContractRows, kSplit, "", kLockContract,
     "DELETE FROM {vs}.contract_workers WHERE contract_id = 1", kWorkerFee, "", kWorkerRow, "NULL|NULL|1"},
    {"split_upsert_child", kContracts, kContractRows, kSplit, "", kLockContract,
     "INSERT INTO {vs}.contract_workers (contract_id, commission_fee) VALUES (1, 9) "
     "ON CONFLICT (contract_id) DO UPDATE SET commission_fee = EXCLUDED.commission_fee",
     kWorkerFee, "", kWorkerRow, "9.00|9.00|2"},
    // v2 adds the child of a contract that has none; v1's write creates it
    // first, so v2's insert meets it, as it would had v1 committed before.
    {"split_insert_child", kContracts, kContractRows, kSplit,
     "DELETE FROM public.contract_workers WHERE contract_id = 1", kLockContract,
     "INSERT INTO {vs}.contract_workers (contract_id, commission_fee) VALUES (1, 9)", kWorkerFee, "23505",
     kWorkerRow, "7.00|7.00|2"},
    {"move_into_referencing_table", kUsers,
     "INSERT INTO users (address) VALUES ('a st'); INSERT INTO profiles (user_id, bio) VALUES (1, 'ann')",
     "operations:\n  - move_column: {table: users, column: address, to: profiles}\n", "",
     "SELECT 1 FROM users WHERE id = 1 FOR NO KEY UPDATE",
     "UPDATE {vs}.profiles SET address = 'v2 st' WHERE user_id = 1", "UPDATE users SET address = 'v1 st' WHERE id = 1",
     "", "SELECT u.address, p.address FROM public.users u JOIN public.profiles p ON p.user_id = u.id",
     "v2 st|v2 st"},
    {"move_into_referenced_table", kUsers,
     "INSERT INTO users (address) VALUES ('a st'); INSERT INTO profiles (user_id, bio) VALUES (1, 'ann')",
     "operations:\n  - move_column: {table: profiles, column: bio, to: users, name: about}\n", "",
     "SELECT 1 FROM profiles WHERE user_id = 1 FOR NO KEY UPDATE",
     "UPDATE {vs}.users SET about = 'v2' WHERE id = 1", "UPDATE profiles SET bio = 'v1' WHERE user_id = 1", "",
     "SELECT u.about, p.bio FROM public.users u JOIN public.profiles p ON p.user_id = u.id", "v2|v2"},
};

std::string WithSchema(std::string sql, const std::string& vs) {
  for (size_t at = sql.find("{vs}"); at != std::string::npos; at = sql.find("{vs}"))
    sql.replace(at, 4, "\"" + vs + "\"");
  return sql;
}

// Waits until `pid` waits for a lock; false after 10 s.
bool WaitsForLock(pg::Connection* watcher, int pid) {
  for (int i = 0; i < 1000; ++i) {
    if (Value(watcher, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + std::to_string(pid)) == "Lock")
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(MoveLockOrder, NewVersionWritesTakeTheSourceRowFirst) {
  for (const RaceCase& c : kCases) {
    SCOPED_TRACE(c.name);
    std::string url = NewOwnedDatabase(), old_vs, new_vs;
    Status s = StartYaml(url, "01_setup", c.setup, /*complete=*/true, &old_vs);
    pg::Connection v1 = Connect(url), v2 = Connect(url), watcher = Connect(url);
    Exec(&v1, c.setup_sql);
    if (s.ok()) s = StartYaml(url, "02_move", c.migration, /*complete=*/false, &new_vs);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (*c.after_start) Exec(&v1, c.after_start);
    Exec(&v1, "SET search_path TO \"" + old_vs + "\"; BEGIN; " + std::string(c.v1_lock));
    Status v2_status;
    std::thread v2_thread([&] { v2_status = v2.Exec(WithSchema(c.v2_write, new_vs)); });
    bool waited = WaitsForLock(&watcher, v2.BackendPid());
    Status v1_status = v1.Exec(c.v1_write);
    (void)v1.Exec(v1_status.ok() ? "COMMIT" : "ROLLBACK");
    v2_thread.join();
    EXPECT_TRUE(waited) << "v2's write did not wait for v1's lock";
    EXPECT_TRUE(v1_status.ok()) << v1_status.ToString();
    EXPECT_EQ(c.v2_sqlstate, v2_status.sqlstate()) << v2_status.ToString();
    EXPECT_EQ(c.expected, Rows(&watcher, c.check));
  }
}

// Reads through the new version lock nothing: a read-only transaction reads
// the target while v1 holds the source row. The locking function goes with the
// version schema's views at complete.
TEST(MoveLockOrder, ReadsTakeNoLocks) {
  std::string url = NewOwnedDatabase(), old_vs, new_vs;
  Status s = StartYaml(url, "01_setup", kContracts, /*complete=*/true, &old_vs);
  pg::Connection v1 = Connect(url), v2 = Connect(url);
  Exec(&v1, kContractRows);
  if (s.ok()) s = StartYaml(url, "02_move", kSplit, /*complete=*/false, &new_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  Exec(&v1, "BEGIN; " + std::string(kLockContract));
  Exec(&v2, "SET statement_timeout = '5s'; BEGIN READ ONLY");
  EXPECT_EQ("1|1.00\n2|2.00", Rows(&v2, WithSchema("SELECT contract_id, commission_fee FROM {vs}.contract_workers "
                                                   "ORDER BY 1", new_vs)));
  Exec(&v2, "COMMIT");
  Exec(&v1, "COMMIT");
  const char* functions = "SELECT string_agg(proname, ', ') FROM pg_proc WHERE proname LIKE '\\_pleat%'";
  EXPECT_NE(std::string::npos, Value(&v1, functions).find("_pleat_movelock_contract_workers_contracts"));
  s = engine::Lifecycle(OptionsFor(url)).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("", Value(&v1, functions));
}

}  // namespace
}  // namespace pleat::testing
