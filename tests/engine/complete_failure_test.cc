// A complete that fails never sticks (issues 12, 13): before its point of no
// return (the drop of the old version schema) complete tries the rest of its
// steps in a transaction it rolls back, so a user object made after start that
// blocks a drop, a taken name or a held lock refuses it with nothing past that
// point changed: the migration is active again, both versions are served, and
// rollback or (once the cause is gone) complete finish with the exact schema
// and data. A step that fails past the point of no return leaves a migration
// that `status` shows as such, rollback refuses, and complete resumes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kAccounts = R"yaml(
operations:
  - create_table:
      name: accounts
      columns:
        - {name: id, type: serial, pk: true}
        - {name: email, type: text}
        - {name: age, type: int, nullable: true}
        - {name: fee, type: "numeric(10,2)", nullable: true}
  - create_table:
      name: profiles
      columns:
        - {name: id, type: serial, pk: true}
        - {name: account_id, type: int, references: {name: profiles_account_fk, table: accounts, column: id}}
        - {name: bio, type: text, nullable: true}
)yaml";

const char* kSeed =
    "INSERT INTO accounts (email, age, fee) SELECT g || '@x', nullif(g % 5, 0), g FROM generate_series(1, 50) g;"
    "INSERT INTO profiles (account_id, bio) SELECT g, 'bio ' || g FROM generate_series(1, 50) g";

const char* kAlterAge = R"yaml(
operations:
  - alter_column: {table: accounts, column: age, type: bigint, up: "coalesce(age, 0)", down: "age"}
)yaml";

struct FailureCase {
  std::string name;
  std::string migration;
  std::string inject;  // run after start: makes complete fail
  std::string remove;  // takes the cause away again
  std::string table;   // the new version's table whose rows are compared
  std::string error;   // part of complete's error
};

class CompleteFailure : public ::testing::Test {
 protected:
  // A database with accounts and profiles (50 rows each) made by a completed
  // migration, so the old version has a version schema of its own: made once
  // per test, then copied (support/test_db.h CopyDatabase).
  std::string Fresh() {
    if (fresh_.empty()) {
      fresh_ = NewOwnedDatabase();
      Status s = engine::Lifecycle(OptionsFor(fresh_)).Start(create_.path(), true, &old_vs_);
      EXPECT_TRUE(s.ok()) << s.ToString();
      pg::Connection conn = Connect(fresh_);
      Exec(&conn, kSeed);
    }
    return CopyDatabase(fresh_);
  }
  std::string Start(const std::string& url, const MigrationFile& m) {
    std::string vs;
    Status s = engine::Lifecycle(OptionsFor(url)).Start(m.path(), false, &vs);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return vs;
  }
  // A write of the old version, then one of the new: both are served.
  void WriteBothVersions(const std::string& url, const std::string& vs, const std::string& table, int n) {
    pg::Connection conn = Connect(url);
    Exec(&conn, "INSERT INTO " + pg::QuoteIdent(old_vs_) + ".accounts (email, age, fee) VALUES ('old" +
                    std::to_string(n) + "@x', 3, 1.5)");
    Exec(&conn, "INSERT INTO " + pg::QuoteIdent(vs) + "." + pg::QuoteIdent(table) + " (email) VALUES ('new" +
                    std::to_string(n) + "@x')");
  }
  static std::string Phase(const std::string& url) {
    pg::Connection conn = Connect(url);
    return Value(&conn, "SELECT phase FROM pleat.migrations WHERE name = '02_change'");
  }
  static std::string Data(const std::string& url, const std::string& vs, const std::string& table) {
    pg::Connection conn = Connect(url);
    return Value(&conn, "SELECT md5(string_agg(row_to_json(t)::text, ',' ORDER BY id)) FROM " + pg::QuoteIdent(vs) +
                            "." + pg::QuoteIdent(table) + " t");
  }
  static nlohmann::json Active(const std::string& url) {
    nlohmann::json st;
    Status s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return st["active"];
  }
  void Run(const FailureCase& c);

  MigrationFile create_{"01_accounts", kAccounts};
  std::string old_vs_;
  std::string fresh_;  // the database Fresh() copies
};

void CompleteFailure::Run(const FailureCase& c) {
  SCOPED_TRACE(c.name);
  MigrationFile change("02_change", c.migration);
  // The reference: the same writes, no failure.
  std::string ref_url = Fresh();
  std::string vs = Start(ref_url, change);
  WriteBothVersions(ref_url, vs, c.table, 1);
  WriteBothVersions(ref_url, vs, c.table, 2);
  Status s = engine::Lifecycle(OptionsFor(ref_url)).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::string ref_schema = DumpSchema(ref_url, "public"), ref_data = Data(ref_url, vs, c.table);

  for (bool roll_back : {true, false}) {
    SCOPED_TRACE(roll_back ? "then rollback" : "then complete again");
    std::string url = Fresh();
    std::string before = DumpSchema(url, "public");
    Start(url, change);
    WriteBothVersions(url, vs, c.table, 1);
    pg::Connection conn = Connect(url);
    Exec(&conn, c.inject);
    // Complete's first part validates pleat's NOT VALID constraints (a rollback
    // drops them with their columns); done here already, so the dumps compare
    // what a refused complete must not change.
    Exec(&conn, "DO $$ DECLARE r record; BEGIN FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint "
                "WHERE NOT convalidated AND conname LIKE '\\_pleat\\_%' LOOP EXECUTE format('ALTER TABLE %s "
                "VALIDATE CONSTRAINT %I', r.t, r.conname); END LOOP; END $$");
    std::string injected = DumpSchema(url, "public"), old_version = DumpSchema(url, old_vs_);
    s = engine::Lifecycle(OptionsFor(url)).Complete();
    ASSERT_FALSE(s.ok()) << "the injected cause did not stop complete";
    EXPECT_NE(std::string::npos, s.ToString().find(c.error)) << s.ToString();
    EXPECT_NE(std::string::npos, s.ToString().find("both versions are still served")) << s.ToString();
    EXPECT_EQ("active", Phase(url));
    EXPECT_EQ(injected, DumpSchema(url, "public")) << "a refused complete changed the schema";
    EXPECT_EQ(old_version, DumpSchema(url, old_vs_)) << "a refused complete changed the old version";
    EXPECT_EQ(true, Active(url)["can_roll_back"]);
    WriteBothVersions(url, vs, c.table, 2);
    if (roll_back) {
      s = engine::Lifecycle(OptionsFor(url)).Rollback();
      ASSERT_TRUE(s.ok()) << s.ToString();
      Exec(&conn, c.remove);
      EXPECT_EQ(before, DumpSchema(url, "public"));
      EXPECT_EQ("", PleatLeftovers(&conn, "public"));
      continue;
    }
    Exec(&conn, c.remove);
    s = engine::Lifecycle(OptionsFor(url)).Complete();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ("completed", Phase(url));
    EXPECT_EQ(ref_schema, DumpSchema(url, "public"));
    EXPECT_EQ(ref_data, Data(url, vs, c.table));
  }
}

// Objects the user makes between start and complete that complete's drops or
// renames meet: refused before the old version goes.
TEST_F(CompleteFailure, AUserObjectMadeAfterStartRefusesCompleteWithNothingChanged) {
  const std::string kAgeView = "CREATE VIEW public.ages AS SELECT id, age FROM accounts";
  const std::string kFeeView = "CREATE VIEW public.fees AS SELECT id, fee FROM accounts";
  const std::string kDepends = "other objects depend on it";
  std::vector<FailureCase> cases = {
      {"alter_column_type_with_a_view_over_the_column", kAlterAge, kAgeView, "DROP VIEW public.ages", "accounts",
       kDepends},
      {"split_table_and_drop_column_with_a_view_over_the_moved_column", R"yaml(
operations:
  - split_table:
      table: accounts
      into:
        - table: account_fees
          key: account_id
          columns:
            - {from: fee}
  - drop_column: {table: accounts, column: age, down: "0"}
)yaml",
       kFeeView, "DROP VIEW public.fees", "accounts", kDepends},
      {"move_column_and_drop_column_with_a_view_over_the_dropped_column", R"yaml(
operations:
  - move_column: {table: accounts, column: fee, to: profiles}
  - drop_column: {table: accounts, column: age, down: "0"}
)yaml",
       kAgeView, "DROP VIEW public.ages", "accounts", kDepends},
      {"rename_column_to_a_name_taken_after_start", R"yaml(
operations:
  - rename_column: {table: accounts, from: fee, to: charge}
)yaml",
       "ALTER TABLE public.accounts ADD COLUMN charge int", "ALTER TABLE public.accounts DROP COLUMN charge",
       "accounts", "already exists"},
      {"rename_table_to_a_taken_name", R"yaml(
operations:
  - rename_table: {from: accounts, to: customers}
)yaml",
       "CREATE TABLE public.customers (x int)", "DROP TABLE public.customers", "customers", "already exists"},
  };
  for (const auto& c : cases) Run(c);
}

// A lock held elsewhere while complete tries its steps: refused after the
// retries, nothing changed; once released, complete finishes.
TEST_F(CompleteFailure, AHeldLockRefusesCompleteWithNothingChanged) {
  MigrationFile change("02_change", kAlterAge);
  std::string url = Fresh();
  std::string vs = Start(url, change);
  std::string before = DumpSchema(url, "public");
  pg::Connection locker = Connect(url);
  Exec(&locker, "BEGIN; LOCK TABLE accounts IN ACCESS SHARE MODE");
  Options options = OptionsFor(url);
  options.lock_timeout_ms = 50;
  options.max_lock_attempts = 2;
  Status s = engine::Lifecycle(options).Complete();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsLockTimeout()) << s.ToString();
  EXPECT_EQ("active", Phase(url));
  EXPECT_EQ(before, DumpSchema(url, "public"));
  pg::Connection conn = Connect(url);
  EXPECT_EQ("1", Value(&conn, "SELECT count(*) FROM pg_namespace WHERE nspname = " + pg::QuoteLiteral(old_vs_)));
  Exec(&locker, "COMMIT");
  s = engine::Lifecycle(options).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("bigint", Value(&conn, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                                   "'accounts'::regclass AND attname = 'age'"));
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
}

// Past the point of no return a step fails (a lock taken just before it):
// rollback is refused, status says the old version is dropped and where
// complete stopped, and complete run again resumes and finishes.
TEST_F(CompleteFailure, AFailurePastThePointOfNoReturnIsResumedByComplete) {
  MigrationFile change("02_change", kAlterAge);
  std::string ref_url = Fresh();
  std::string vs = Start(ref_url, change);
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(ref_url)).Complete().ok());
  std::string ref_schema = DumpSchema(ref_url, "public"), ref_data = Data(ref_url, vs, "accounts");

  std::string url = Fresh();
  Start(url, change);
  pg::Connection locker = Connect(url);
  Options options = OptionsFor(url);
  options.lock_timeout_ms = 50;
  options.max_lock_attempts = 2;
  options.before_step = [&](const std::string& phase, const std::string& id) {
    if (phase == "complete" && id == "sync.accounts") Exec(&locker, "BEGIN; LOCK TABLE accounts IN ACCESS SHARE MODE");
  };
  Status s = engine::Lifecycle(options).Complete();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("past the point of no return")) << s.ToString();
  EXPECT_EQ("completing", Phase(url));
  pg::Connection conn = Connect(url);
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pg_namespace WHERE nspname = " + pg::QuoteLiteral(old_vs_)));
  nlohmann::json active = Active(url);
  EXPECT_EQ(true, active["old_version_dropped"]);
  EXPECT_EQ(false, active["can_roll_back"]);
  EXPECT_EQ(true, active["interrupted"]);
  EXPECT_EQ("sync.accounts", active["current_step"]["step"]["id"]);
  s = engine::Lifecycle(OptionsFor(url)).Rollback();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("cannot be rolled back")) << s.ToString();
  Exec(&locker, "COMMIT");
  s = engine::Lifecycle(OptionsFor(url)).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("completed", Phase(url));
  EXPECT_EQ(ref_schema, DumpSchema(url, "public"));
  EXPECT_EQ(ref_data, Data(url, vs, "accounts"));
}

}  // namespace
}  // namespace pleat::testing
