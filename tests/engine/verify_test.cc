// `verify`: clean while the sync triggers keep both versions in step; finds
// rows a write around the triggers left disagreeing and rows that break a
// constraint complete would validate, with counts and keys; complete refuses
// while it finds any, and --force (Options::force) completes anyway.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kCreate = R"(
operations:
  - create_table:
      name: accounts
      columns:
        - {name: id, type: int, pk: true}
        - {name: cents, type: int}
        - {name: owner_id, type: int, nullable: true}
  - create_table:
      name: owners
      columns:
        - {name: id, type: int, pk: true}
)";

// A shadow column (up and down both) and a foreign key complete validates.
const char* kTenths = R"(
operations:
  - alter_column:
      table: accounts
      column: cents
      type: bigint
      up: cents * 10
      down: cents / 10
  - create_constraint:
      table: accounts
      name: accounts_owner_fk
      type: foreign_key
      columns: [owner_id]
      references: {table: owners, columns: [id]}
      up: {owner_id: owner_id}
      down: {owner_id: owner_id}
)";

struct Fixture {
  std::string url = NewDatabase();
  MigrationFile create{"01_accounts", kCreate}, tenths{"02_tenths", kTenths};
};

std::vector<Finding> VerifyNow(const std::string& url) {
  std::vector<Finding> findings;
  Status s = engine::Lifecycle(OptionsFor(url)).Verify(&findings);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return findings;
}

const Finding* Find(const std::vector<Finding>& findings, const std::string& rule) {
  for (const auto& f : findings)
    if (f.rule == rule) return &f;
  return nullptr;
}

TEST(Verify, FindsWhatCompleteWouldLoseOrFailOn) {
  Fixture fx;
  std::string vs;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(fx.url)).Start(fx.create.path(), true, &vs).ok());
  pg::Connection conn = Connect(fx.url);
  Exec(&conn, "INSERT INTO owners VALUES (1), (2); INSERT INTO accounts SELECT g, g, 1 + g % 2 FROM generate_series(1, 3000) g");
  Status s = engine::Lifecycle(OptionsFor(fx.url)).Start(fx.tenths.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(VerifyNow(fx.url).empty()) << "the backfill and the triggers keep every row in step";

  // Writes that bypass every trigger, the foreign key's too: one to the old
  // column, one straight to the shadow column that carries the foreign key.
  std::string shadow = Value(&conn, "SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass "
                                    "AND attname LIKE '\\_pleat%owner%' AND NOT attisdropped");
  ASSERT_FALSE(shadow.empty());
  Exec(&conn, "SET session_replication_role = replica; UPDATE accounts SET cents = 7 WHERE id IN (5, 2500);"
              "UPDATE accounts SET \"" + shadow + "\" = 99 WHERE id = 42; RESET session_replication_role");
  std::vector<Finding> findings = VerifyNow(fx.url);
  const Finding* disagree = Find(findings, "rows-disagree");
  ASSERT_NE(nullptr, disagree);
  EXPECT_EQ(3, disagree->count);
  std::vector<std::string> keys = disagree->examples;
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::vector<std::string>({"(\"id\")=(2500)", "(\"id\")=(42)", "(\"id\")=(5)"}), keys);
  const Finding* orphan = Find(findings, "foreign-key-violated");
  ASSERT_NE(nullptr, orphan);
  EXPECT_EQ(1, orphan->count);
  EXPECT_EQ(std::vector<std::string>({"(\"id\")=(42)"}), orphan->examples);
  EXPECT_EQ(Severity::kError, orphan->severity) << "complete validates this foreign key";

  s = engine::Lifecycle(OptionsFor(fx.url)).Complete();
  EXPECT_EQ(Status::Code::kCheckFailed, s.code()) << s.ToString();
  EXPECT_EQ("active", Value(&conn, "SELECT phase FROM pleat.migrations WHERE name = '02_tenths'")) << "nothing ran";

  Exec(&conn, "UPDATE accounts SET cents = 70 WHERE id IN (5, 2500); UPDATE accounts SET owner_id = 1 WHERE id = 42");
  EXPECT_TRUE(VerifyNow(fx.url).empty()) << "writes through the triggers put the rows back in step";
  s = engine::Lifecycle(OptionsFor(fx.url)).Complete();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(Verify, ForceCompletesDespiteFindings) {
  Fixture fx;
  std::string vs;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(fx.url)).Start(fx.create.path(), true, &vs).ok());
  pg::Connection conn = Connect(fx.url);
  Exec(&conn, "INSERT INTO accounts SELECT g, g, NULL FROM generate_series(1, 10) g");
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(fx.url)).Start(fx.tenths.path(), false, &vs).ok());
  Exec(&conn, "SET session_replication_role = replica; UPDATE accounts SET cents = 7 WHERE id = 3;"
              "RESET session_replication_role");
  std::vector<std::string> log;
  Options options = OptionsFor(fx.url, &log);
  options.force_complete = true;
  Status s = engine::Lifecycle(options).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  bool warned = false;
  for (const auto& line : log) warned |= line.find("WARNING") != std::string::npos && line.find("--force") != std::string::npos;
  EXPECT_TRUE(warned) << "--force must say loudly what it overrides";
  EXPECT_EQ("completed", Value(&conn, "SELECT phase FROM pleat.migrations WHERE name = '02_tenths'"));
}

}  // namespace
}  // namespace pleat::testing
