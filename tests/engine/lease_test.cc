// The lease that keeps two pleat processes off one schema (state/lease.h):
// released at exit, kept alive by its heartbeat past its ttl, taken over when
// expired or when its holder's backend is gone, and the old holder then stops
// (its next journal insert fails). Many concurrent commands: never two at once.
// Behind a transaction pooler: pooler_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "state/lease.h"
#include "state/state_store.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

using std::chrono::milliseconds;

// A database whose state schema exists, and its URL.
std::string InitializedDatabase() {
  std::string url = NewDatabase();
  Status s = engine::Lifecycle(OptionsFor(url)).Init();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return url;
}

// What simulates a holder whose heartbeats stopped (a hung or partitioned pleat).
void Expire(pg::Connection* conn) { Exec(conn, "UPDATE pleat.lease SET expires_at = now() - interval '1 s'"); }

TEST(Lease, HeldWhileTheCommandRunsAndGoneAfterIt) {
  std::string url = InitializedDatabase();
  pg::Connection conn = Connect(url);
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.lease")) << "init released its lease";
  {
    engine::Lifecycle holder(OptionsFor(url));
    ASSERT_TRUE(holder.Init().ok());
    EXPECT_EQ("init|" + std::to_string(getpid()) + "|t",
              Rows(&conn, "SELECT command, pid, backend_pid <> pg_backend_pid() FROM pleat.lease"));
    Status s = engine::Lifecycle(OptionsFor(url)).Init();
    EXPECT_EQ(Status::Code::kBusy, s.code()) << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find("`pleat init` from host ")) << s.ToString();
    EXPECT_NE(std::string::npos, s.message().find(" pid " + std::to_string(getpid()))) << s.ToString();
  }
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.lease"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
  EXPECT_TRUE(engine::Lifecycle(OptionsFor(url)).Init().ok()) << "free again at once";
}

TEST(Lease, HeartbeatKeepsItPastItsTtl) {
  std::string url = InitializedDatabase();
  pg::Connection a_main = Connect(url), b_main = Connect(url), conn = Connect(url);
  state::Lease a("pleat", "public", milliseconds(300));
  ASSERT_TRUE(a.Acquire(&a_main, Connect(url), "start").ok());
  std::string first = Value(&conn, "SELECT expires_at FROM pleat.lease");
  // Until the ttl first granted has run out: by then heartbeats must have renewed it.
  for (int i = 0; i < 2000 && Value(&conn, "SELECT now() > " + pg::QuoteLiteral(first) + "::timestamptz") != "t"; ++i)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_TRUE(a.Held().ok());
  EXPECT_NE(first, Value(&conn, "SELECT expires_at FROM pleat.lease")) << "renewed";
  state::Lease b("pleat", "public", milliseconds(300));
  EXPECT_EQ(Status::Code::kBusy, b.Acquire(&b_main, Connect(url), "complete").code());
  EXPECT_EQ("start", Value(&conn, "SELECT command FROM pleat.lease"));
}

TEST(Lease, ExpiredLeaseIsTakenOverAndTheOldHolderStops) {
  std::string url = InitializedDatabase();
  pg::Connection a_main = Connect(url), b_main = Connect(url), conn = Connect(url);
  state::Lease a("pleat", "public", milliseconds(1500));
  ASSERT_TRUE(a.Acquire(&a_main, Connect(url), "start").ok());
  // A heartbeat of A may renew between the two statements: then again.
  std::unique_ptr<state::Lease> b;
  Status s;
  for (int attempt = 0; attempt < 3 && (!b || !s.ok()); ++attempt) {
    Expire(&conn);
    b = std::make_unique<state::Lease>("pleat", "public", milliseconds(1500));
    s = b->Acquire(&b_main, Connect(url), "rollback");
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("rollback", Value(&conn, "SELECT command FROM pleat.lease"));
  // A's next heartbeat (every ttl/3) finds the lease gone and cancels what
  // A's command connection runs (here a sleep standing for a backfill batch).
  // A finished sleep would succeed: query_canceled shows the heartbeat cut it short.
  Status work = a_main.Exec("SELECT pg_sleep(20)");
  EXPECT_EQ("57014", work.sqlstate()) << work.ToString();
  EXPECT_EQ(Status::Code::kBusy, a.Held().code());
  EXPECT_NE(std::string::npos, a.Held().message().find("took over")) << a.Held().ToString();
  a.Release();
  EXPECT_EQ("rollback", Value(&conn, "SELECT command FROM pleat.lease")) << "the loser deletes no lease of another";
  EXPECT_TRUE(b->Held().ok());
}

TEST(Lease, TheLoserCannotJournalAStep) {
  std::string url = InitializedDatabase();
  pg::Connection a_main = Connect(url), b_main = Connect(url), conn = Connect(url);
  state::StateStore a(&a_main, "pleat", "public"), b(&b_main, "pleat", "public");
  ASSERT_TRUE(a.Lock("start", Connect(url)).ok());
  ASSERT_TRUE(a_main.Exec(a.JournalInsertSql("m", "start", "step1")).ok());
  Expire(&conn);
  ASSERT_TRUE(b.Lock("start", Connect(url)).ok());
  Status s = a_main.Exec(a.JournalInsertSql("m", "start", "step2"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.message().find("lost its lease")) << s.ToString();
  EXPECT_TRUE(b_main.Exec(b.JournalInsertSql("m", "start", "step2")).ok());
  EXPECT_EQ("step1,step2", Value(&conn, "SELECT string_agg(step_id, ',' ORDER BY step_id) FROM pleat.journal"));
}

// As after kill -9 on a direct connection: the row stays, its backend is gone.
TEST(Lease, DeadHoldersLeaseIsTakenOverAtOnce) {
  std::string url = InitializedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "INSERT INTO pleat.lease VALUES ('public', 'gone', 'elsewhere', 1, 'start', 2147483647, NULL, now(),"
              " now(), now() + interval '1 hour')");
  // The row says the lease runs for another hour: taking it at all is taking it at once.
  engine::Lifecycle next(OptionsFor(url));
  Status s = next.Init();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("init", Value(&conn, "SELECT command FROM pleat.lease"));
}

// Threads stand for processes: each command has its own connections.
TEST(Lease, ConcurrentCommandsNeverHoldItTogether) {
  std::string url = InitializedDatabase();
  std::atomic<int> inside{0}, most{0}, ran{0}, busy{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        engine::Lifecycle l(OptionsFor(url));
        Status s = l.Init();
        if (!s.ok()) {
          (s.code() == Status::Code::kBusy ? busy : other)++;
          continue;
        }
        int now = ++inside;
        for (int m = most; now > m && !most.compare_exchange_weak(m, now);) {}
        std::this_thread::sleep_for(milliseconds(60));
        --inside;
        ++ran;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(1, most.load()) << "two commands held the lease at once";
  EXPECT_EQ(0, other.load());
  EXPECT_GE(ran.load(), 4);
  EXPECT_EQ(12, ran + busy);
}

}  // namespace
}  // namespace pleat::testing
