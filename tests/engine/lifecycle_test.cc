// The lifecycle's promises: one pleat process per schema (lease), DDL
// that waits for traffic under a short lock_timeout and gives up cleanly, a
// failed start that rollback undoes exactly, and the version schema that
// complete leaves. Killing the real binary is in lifecycle_kill_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

const char* kCreatePeople = R"(
operations:
  - create_table:
      name: people
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
)";

const char* kAddShout = R"(
operations:
  - add_column:
      table: people
      up: upper(name)
      column: {name: shout, type: text, nullable: true}
)";

// The second operation passes validation and check (its default compiles) but
// fails on the server.
const char* kSecondOpFails = R"yaml(
operations:
  - add_column:
      table: people
      up: upper(name)
      column: {name: shout, type: text, nullable: true}
  - add_column:
      table: people
      column: {name: broken, type: int, nullable: true, default: "broken_default()"}
)yaml";

// broken_default() gives 1 while the file is checked; just before the step that
// adds its column it is replaced by one that raises, so that step fails at its DDL.
void BreakDefaultBeforeSecondStep(const std::string& url, Options* options) {
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE FUNCTION broken_default() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'");
  options->before_step = [url](const std::string&, const std::string& id) {
    if (id != "02.add_column.add") return;
    pg::Connection c = Connect(url);
    Exec(&c, "CREATE OR REPLACE FUNCTION broken_default() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1 / 0'");
  };
}

// A database with people (two rows) created by a completed migration.
std::string PeopleDatabase(std::string* version_schema) {
  std::string url = NewOwnedDatabase();
  MigrationFile file("01_people", kCreatePeople);
  Status s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), /*complete=*/true, version_schema);
  EXPECT_TRUE(s.ok()) << s.ToString();
  pg::Connection conn = Connect(url);
  Exec(&conn, "INSERT INTO people (name) VALUES ('alice'), ('bob')");
  return url;
}

std::string Phase(const std::string& url) {
  nlohmann::json status;
  Status s = engine::Lifecycle(OptionsFor(url)).GetStatus(&status);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return status["active"].is_null() ? "none" : status["active"]["phase"].get<std::string>();
}

bool AnyLineHas(const std::vector<std::string>& lines, const std::vector<std::string>& parts) {
  for (const auto& line : lines) {
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

TEST(Lifecycle, LeaseKeepsASecondProcessOffTheSchema) {
  std::string vs;
  std::string url = PeopleDatabase(&vs);
  MigrationFile file("02_shout", kAddShout);
  auto holder = std::make_unique<engine::Lifecycle>(OptionsFor(url));
  ASSERT_TRUE(holder->Init().ok());
  const struct {
    const char* name;
    std::function<Status(engine::Lifecycle*)> run;
  } commands[] = {
      {"start", [&](engine::Lifecycle* l) { return l->Start(file.path(), false, &vs); }},
      {"start --complete", [&](engine::Lifecycle* l) { return l->Start(file.path(), true, &vs); }},
      {"complete", [](engine::Lifecycle* l) { return l->Complete(); }},
      {"rollback", [](engine::Lifecycle* l) { return l->Rollback(); }},
  };
  for (const auto& c : commands) {
    SCOPED_TRACE(std::string("case: ") + c.name);
    engine::Lifecycle second(OptionsFor(url));
    // The holder keeps its lease throughout: a second command that queued behind
    // it would never return, so returning kBusy shows it did not wait.
    Status s = c.run(&second);
    EXPECT_EQ(Status::Code::kBusy, s.code()) << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find("another pleat process is working on schema \"public\"")) << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find("(backend ")) << "the message names the holder: " << s.ToString();
    EXPECT_FALSE(s.hint().empty());
  }
  EXPECT_EQ("none", Phase(url)) << "a refused start must record nothing";
  // Another target schema has a lock of its own.
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE SCHEMA other; CREATE TABLE other.people (id int PRIMARY KEY, name text)");
  Options other = OptionsFor(url);
  other.schema = "other";
  Status s = engine::Lifecycle(other).Start(file.path(), /*complete=*/true, &vs);
  EXPECT_TRUE(s.ok()) << s.ToString();
  holder.reset();  // its session ends, and the lock with it
  s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), /*complete=*/false, &vs);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(Lifecycle, LockTimeoutWaitsRetriesAndSucceedsOnceTheLockIsFree) {
  std::string vs;
  std::string url = PeopleDatabase(&vs);
  MigrationFile file("02_shout", kAddShout);
  pg::Connection locker = Connect(url);
  Exec(&locker, "BEGIN; LOCK TABLE people IN ACCESS SHARE MODE");
  // The lock is released once start has said it waits for it (after a lock timeout).
  std::vector<std::string> log;
  std::mutex mu;
  std::condition_variable cv;
  bool waiting = false;
  Options options = OptionsFor(url);
  options.log = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back(line);
    waiting |= line.find("waiting for a lock") != std::string::npos;
    cv.notify_all();
  };
  std::thread release([&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return waiting; });
    lock.unlock();
    (void)locker.Exec("COMMIT");
  });
  options.lock_timeout_ms = 100;
  Status s = engine::Lifecycle(options).Start(file.path(), /*complete=*/false, &vs);
  release.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(AnyLineHas(log, {"waiting for a lock", "lock_timeout 100 ms", "pid " + std::to_string(locker.BackendPid()),
                               "LOCK TABLE people"}))
      << "the log must say what it waits for; got:\n" << ::testing::PrintToString(log);
  pg::Connection conn = Connect(url);
  EXPECT_EQ("alice|ALICE\nbob|BOB", Rows(&conn, "SELECT name, shout FROM " + pg::QuoteIdent(vs) + ".people ORDER BY id"));
}

TEST(Lifecycle, LockTimeoutGivesUpLeavesStartingAndRollbackRestoresTheSchema) {
  std::string vs;
  std::string url = PeopleDatabase(&vs);
  MigrationFile file("02_shout", kAddShout);
  std::string before = DumpSchema(url, "public");
  pg::Connection locker = Connect(url);
  Exec(&locker, "BEGIN; LOCK TABLE people IN ACCESS SHARE MODE");
  Options options = OptionsFor(url);
  options.lock_timeout_ms = 100;
  options.max_lock_attempts = 2;
  Status s = engine::Lifecycle(options).Start(file.path(), /*complete=*/false, &vs);
  EXPECT_TRUE(s.IsLockTimeout()) << s.ToString();
  EXPECT_NE(std::string::npos, s.hint().find("lock")) << s.ToString();
  EXPECT_EQ("starting", Phase(url));
  Exec(&locker, "COMMIT");
  s = engine::Lifecycle(OptionsFor(url)).Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url, "public"));
  EXPECT_EQ("none", Phase(url));
  s = engine::Lifecycle(options).Start(file.path(), /*complete=*/false, &vs);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(Lifecycle, FailedStepLeavesStartingAndRollbackRemovesEveryTrace) {
  std::string vs;
  std::string url = PeopleDatabase(&vs);
  MigrationFile file("02_broken", kSecondOpFails);
  Options breaking = OptionsFor(url);
  BreakDefaultBeforeSecondStep(url, &breaking);
  std::string before = DumpSchema(url, "public");
  Status s = engine::Lifecycle(breaking).Start(file.path(), /*complete=*/false, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.message().find("add column \"people\".\"broken\"")) << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("division by zero")) << s.ToString();
  EXPECT_EQ("starting", Phase(url));
  // A re-run resumes (the first operation is journaled) and fails the same way.
  std::vector<std::string> log;
  s = engine::Lifecycle(OptionsFor(url, &log)).Start(file.path(), /*complete=*/false, &vs);
  EXPECT_NE(std::string::npos, s.message().find("division by zero")) << s.ToString();
  EXPECT_TRUE(AnyLineHas(log, {"resuming the interrupted start"})) << ::testing::PrintToString(log);
  EXPECT_FALSE(AnyLineHas(log, {"add column \"people\".\"shout\""})) << "a journaled step ran again";
  s = engine::Lifecycle(OptionsFor(url)).Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE OR REPLACE FUNCTION broken_default() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'");
  EXPECT_EQ(before, DumpSchema(url, "public"));
  for (const char* table : {"migrations", "journal", "backfill"}) {
    std::string column = std::string(table) == "migrations" ? "name" : "migration";
    EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat." + std::string(table) + " WHERE " + column +
                                    " = '02_broken'"))
        << "pleat." << table << " still mentions the rolled-back migration";
  }
}

TEST(Lifecycle, CompleteLeavesOnlyTheNewVersionSchemaWithPlainViews) {
  std::string old_vs, new_vs;
  std::string url = PeopleDatabase(&old_vs);
  MigrationFile file("02_shout", kAddShout);
  Status s = engine::Lifecycle(OptionsFor(url)).Start(file.path(), /*complete=*/false, &new_vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  pg::Connection conn = Connect(url);
  std::string marked_views = "SELECT count(*) FILTER (WHERE definition LIKE '%mark(%') || '/' || count(*) FROM pg_views "
                             "WHERE schemaname = " + pg::QuoteLiteral(new_vs);
  EXPECT_EQ("1/1", Value(&conn, marked_views)) << "during the migration the new views mark their writes";
  s = engine::Lifecycle(OptionsFor(url)).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("0/1", Value(&conn, marked_views));
  EXPECT_EQ("", Value(&conn, "SELECT nspname FROM pg_namespace WHERE nspname = " + pg::QuoteLiteral(old_vs)));
  std::string latest;
  s = engine::Lifecycle(OptionsFor(url)).Latest(&latest);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(new_vs, latest);
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
  EXPECT_EQ("alice|ALICE\nbob|BOB",
            Rows(&conn, "SELECT name, shout FROM " + pg::QuoteIdent(new_vs) + ".people ORDER BY id"));
}

}  // namespace
}  // namespace pleat::testing
