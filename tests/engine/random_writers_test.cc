// Randomized concurrent writers through a whole lifecycle. Four writers (the
// old version schema, the physical table, the new version schema-qualified as
// Prisma 7 writes, the new version by search_path) insert, update, delete and
// upsert while start backfills, while the migration is active, and while
// complete (or rollback) runs. Each writer owns its keys and records every write
// the server acknowledged; at the end every recorded write must be there with
// the value the surviving version must show, and while both versions are live
// every row must satisfy the sync invariant (new = up(old) or old = down(new)).
// PLEAT_RANDOM_SEED and PLEAT_RANDOM_RUNS set the seed and the number of runs
// (runs alternate complete and rollback); the defaults are what CI runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "engine/lifecycle.h"
#include "pg/quote.h"
#include "planner/planner.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

constexpr int kWriters = 4;
constexpr int kInitialRows = 40000;

const char* kCreateAccounts = R"(
operations:
  - create_table:
      name: accounts
      columns:
        - {name: id, type: int, pk: true}
        - {name: owner, type: text}
        - {name: cents, type: int}
)";

// The new version counts tenths of a cent: new = old * 10, old = new / 10.
const char* kTenths = R"(
operations:
  - alter_column:
      table: accounts
      column: cents
      type: bigint
      up: cents * 10
      down: cents / 10
)";

enum class Side { kOld, kNew };

struct Expected {
  bool exists = false;
  std::string owner;
  long long cents = 0;  // as written
  Side side = Side::kOld;
};

struct WriterSpec {
  const char* name;
  Side side;
};

constexpr WriterSpec kSpecs[kWriters] = {
    {"old version schema", Side::kOld},
    {"physical table", Side::kOld},
    {"new version, schema-qualified", Side::kNew},
    {"new version, search_path", Side::kNew},
};

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// One writer: its own connection, its own keys (id % kWriters == index), its record.
class Writer {
 public:
  Writer(int index, const std::string& url, const std::string& old_vs, const std::string& new_vs, unsigned seed)
      : index_(index), spec_(kSpecs[index]), url_(url), old_vs_(old_vs), new_vs_(new_vs), rng_(seed) {
    for (int id = index; id < kInitialRows; id += kWriters)
      rows_[id] = Expected{true, "owner " + std::to_string(id), id, Side::kOld};
  }

  void Run(const std::atomic<bool>& stop) {
    conn_ = Connect(url_);
    bool session_ready = spec_.side == Side::kOld;
    while (!stop) {
      if (!session_ready) session_ready = conn_.Exec("SET search_path TO " + pg::QuoteIdent(new_vs_)).ok() &&
                                          (index_ != 3 || SchemaExists());
      if (session_ready) WriteOnce();
    }
  }

  const std::map<int, Expected>& rows() const { return rows_; }
  const std::vector<std::string>& errors() const { return errors_; }
  long long acknowledged() const { return acknowledged_; }
  const char* name() const { return spec_.name; }

 private:
  bool SchemaExists() {
    std::string n;
    return conn_.QueryValue("SELECT count(*) FROM pg_namespace WHERE nspname = $1", &n, {new_vs_}).ok() && n == "1";
  }
  std::string Table() const {
    if (index_ == 0) return pg::QualifiedName(old_vs_, "accounts");
    if (index_ == 1) return pg::QualifiedName("public", "accounts");
    if (index_ == 2) return pg::QualifiedName(new_vs_, "accounts");
    return "accounts";  // through search_path
  }

  void WriteOnce() {
    int id = index_ + kWriters * std::uniform_int_distribution<int>(0, kInitialRows / kWriters + 2000)(rng_);
    int what = std::uniform_int_distribution<int>(0, 3)(rng_);
    long long cents = std::uniform_int_distribution<long long>(0, 1000000)(rng_);
    std::string owner = std::string(spec_.name).substr(0, 3) + " " + std::to_string(cents % 997);
    Expected& row = rows_[id];
    std::string sql, v = std::to_string(cents), o = pg::QuoteLiteral(owner), i = std::to_string(id);
    bool deletes = false;
    if (what == 3) {
      sql = "INSERT INTO " + Table() + " (id, owner, cents) VALUES (" + i + ", " + o + ", " + v +
            ") ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, cents = excluded.cents";
    } else if (!row.exists) {
      sql = "INSERT INTO " + Table() + " (id, owner, cents) VALUES (" + i + ", " + o + ", " + v + ")";
    } else if (what == 2) {
      sql = "DELETE FROM " + Table() + " WHERE id = " + i;
      deletes = true;
    } else {
      sql = "UPDATE " + Table() + " SET owner = " + o + ", cents = " + v + " WHERE id = " + i;
    }
    Status s = conn_.Exec(sql);
    if (!s.ok()) {
      errors_.push_back(s.message());
      return;
    }
    ++acknowledged_;
    row = deletes ? Expected{} : Expected{true, owner, cents, spec_.side};
  }

  int index_;
  WriterSpec spec_;
  std::string url_, old_vs_, new_vs_;
  std::mt19937 rng_;
  pg::Connection conn_;
  std::map<int, Expected> rows_;
  std::vector<std::string> errors_;
  long long acknowledged_ = 0;
};

// Runs writers [first, last) until Stop().
class Crew {
 public:
  Crew(std::vector<Writer>* writers, int first, int last) {
    for (int w = first; w < last; ++w) threads_.emplace_back([this, writers, w] { (*writers)[w].Run(stop_); });
  }
  ~Crew() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

void LetThemWrite() { std::this_thread::sleep_for(std::chrono::milliseconds(700)); }

// Every recorded row, as the surviving version must show it: "owner|cents" by id.
std::map<int, std::string> ExpectedRows(const std::vector<Writer>& writers, bool completed) {
  std::map<int, std::string> out;
  for (const auto& w : writers)
    for (const auto& [id, e] : w.rows()) {
      if (!e.exists) continue;
      long long cents = e.side == Side::kOld ? (completed ? e.cents * 10 : e.cents) : (completed ? e.cents : e.cents / 10);
      out[id] = e.owner + "|" + std::to_string(cents);
    }
  return out;
}

std::map<int, std::string> ActualRows(pg::Connection* conn, const std::string& vs) {
  std::map<int, std::string> out;
  std::string all = Rows(conn, "SELECT id, owner || '|' || cents FROM " + pg::QualifiedName(vs, "accounts"));
  for (size_t pos = 0; pos < all.size();) {
    size_t end = all.find('\n', pos);
    std::string line = all.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t bar = line.find('|');
    out[std::stoi(line.substr(0, bar))] = line.substr(bar + 1);
    pos = end == std::string::npos ? all.size() : end + 1;
  }
  return out;
}

void OneRun(unsigned seed, bool complete) {
  SCOPED_TRACE("seed " + std::to_string(seed) + (complete ? ", then complete" : ", then rollback"));
  std::string url = NewOwnedDatabase(), old_vs, new_vs = planner::VersionSchemaName("public", "02_tenths");
  MigrationFile create("01_accounts", kCreateAccounts), tenths("02_tenths", kTenths);
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Start(create.path(), true, &old_vs).ok());
  pg::Connection conn = Connect(url);
  Exec(&conn, "INSERT INTO accounts SELECT g, 'owner ' || g, g FROM generate_series(0, " +
                  std::to_string(kInitialRows - 1) + ") g; ANALYZE accounts");
  std::vector<Writer> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back(w, url, old_vs, new_vs, seed * 31 + w);

  Crew old_crew(&writers, 0, 2), new_crew(&writers, 2, 4);
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Start(tenths.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  LetThemWrite();
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM " + pg::QualifiedName(old_vs, "accounts") + " o JOIN " +
                                  pg::QualifiedName(new_vs, "accounts") +
                                  " n USING (id) WHERE NOT (n.cents = o.cents * 10 OR o.cents = n.cents / 10)"))
      << "rows that satisfy neither up nor down while both versions write";
  std::vector<Finding> findings;
  s = engine::Lifecycle(OptionsFor(url)).Verify(&findings);
  EXPECT_TRUE(s.ok() && findings.empty()) << s.ToString() << (findings.empty() ? "" : findings[0].message);
  (complete ? old_crew : new_crew).Stop();  // the version that is going away stops writing first
  s = complete ? engine::Lifecycle(OptionsFor(url)).Complete() : engine::Lifecycle(OptionsFor(url)).Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  LetThemWrite();
  old_crew.Stop();
  new_crew.Stop();

  for (const auto& w : writers) {
    EXPECT_GT(w.acknowledged(), 20) << w.name() << " barely wrote; the run proves little";
    // Only the new version's writers may fail, and only while their schema did not exist yet.
    for (const auto& e : w.errors())
      EXPECT_NE(std::string::npos, e.find("does not exist")) << w.name() << ": " << e;
  }
  EXPECT_EQ(ExpectedRows(writers, complete), ActualRows(&conn, complete ? new_vs : old_vs))
      << "an acknowledged write was lost or has the wrong value";
}

TEST(RandomWriters, NoAcknowledgedWriteIsLost) {
  unsigned seed = EnvInt("PLEAT_RANDOM_SEED", 20261121);
  int runs = EnvInt("PLEAT_RANDOM_RUNS", 2);
  for (int run = 0; run < runs; ++run) OneRun(seed + run, run % 2 == 0);
}

}  // namespace
}  // namespace pleat::testing
