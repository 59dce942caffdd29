// Crash safety at every journal step: pleat is killed (SIGKILL, in a forked
// child) just before each step of start, complete and rollback, before each
// backfill batch (100-row batches here, so several), and once after the last
// step, one kill per run; then the command is run again (or the
// migration rolled back) and the schema and every row must be identical to an
// uninterrupted run, and `verify` must be clean. Each run starts on a copy of one
// database prepared for it (CREATE DATABASE ... TEMPLATE). The kill points come from
// Options::before_step, so each run dies at an exact, known point instead of
// after a guessed delay.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kCreateItems = R"(
operations:
  - create_table:
      name: items
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
        - {name: price, type: int, nullable: true}
        - {name: note, type: varchar(20), nullable: true}
)";

// Several kinds of step: an added column with a backfill, a shadow column for
// a type change with NOT NULL (validated at complete), a concurrent index, a
// rename done at complete, a dropped column.
const char* kReshape = R"(
operations:
  - add_column:
      table: items
      up: lower(name)
      column: {name: slug, type: text, nullable: true}
  - alter_column:
      table: items
      column: price
      type: bigint
      nullable: false
      up: coalesce(price, 0)
      down: price
  - create_index:
      name: items_name_idx
      table: items
      columns: [name]
  - rename_column:
      table: items
      from: note
      to: remark
)";

// A primary key widened, with a foreign key to it (moved and validated at complete).
const char* kWidenKey = R"(
operations:
  - alter_column: {table: items, column: id, type: bigint}
)";
const char* kItemTags = "CREATE TABLE item_tags (item_id int REFERENCES items (id) ON DELETE CASCADE, tag text);"
                        "INSERT INTO item_tags SELECT g, 't' || g FROM generate_series(1, 300, 3) g";

using Command = std::function<Status(engine::Lifecycle*)>;

struct Snapshot {
  std::string schema, versions, rows, phase;
  bool operator==(const Snapshot&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Snapshot& s) {
  return os << "phase " << s.phase << "\nrows " << s.rows << "\n" << s.schema << "\n" << s.versions;
}

// Fixed 100-row batches: the 300 rows take several, so kills fall between batches too.
Options CrashOptions(const std::string& url) {
  Options options = OptionsFor(url);
  options.backfill.min_rows = options.backfill.max_rows = 100;
  return options;
}

class CrashPoints : public ::testing::Test {
 protected:
  // A fresh database with items (300 rows) created by a completed migration:
  // made once per test, then copied (support/test_db.h CopyDatabase).
  std::string FreshDatabase() {
    if (fresh_.empty()) {
      fresh_ = NewOwnedDatabase();
      std::string vs;
      Status s = engine::Lifecycle(OptionsFor(fresh_)).Start(create_.path(), /*complete=*/true, &vs);
      EXPECT_TRUE(s.ok()) << s.ToString();
      pg::Connection conn = Connect(fresh_);
      Exec(&conn, "INSERT INTO items (name, price, note) SELECT 'Item ' || g, nullif(g % 7, 0), 'n' || g "
                  "FROM generate_series(1, 300) g");
      if (!setup_sql_.empty()) Exec(&conn, setup_sql_);
    }
    return CopyDatabase(fresh_);
  }

  // A fresh database after `prepare` ran to its end, to copy for each kill point.
  std::string PreparedDatabase(const Command& prepare) {
    std::string url = FreshDatabase();
    if (prepare) Run(url, prepare);
    return url;
  }

  static Snapshot Take(const std::string& url) {
    pg::Connection conn = Connect(url);
    std::string vs = Value(&conn, "SELECT version_schema FROM pleat.migrations WHERE name = '02_reshape'");
    Snapshot s;
    s.schema = DumpSchema(url, "public");
    s.versions = vs.empty() ? "" : DumpSchema(url, vs);
    s.rows = Value(&conn, "SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM items i");
    s.phase = Value(&conn, "SELECT phase FROM pleat.migrations WHERE name = '02_reshape'");
    return s;
  }

  // Runs `command` in a child that kills itself before hook call `kill_at`
  // (counting from 0). Returns false when the command ended before that call.
  static bool RunKilledAt(const std::string& url, const Command& command, int kill_at) {
    pid_t pid = fork();
    if (pid == 0) {
      Options options = CrashOptions(url);
      int calls = 0;
      options.before_step = [&](const std::string&, const std::string&) {
        if (calls++ == kill_at) raise(SIGKILL);
      };
      engine::Lifecycle lifecycle(options);
      _exit(command(&lifecycle).ok() ? 0 : 3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status)) {
      EXPECT_EQ(0, WEXITSTATUS(status)) << "the command failed before its kill point " << kill_at;
      return false;
    }
    // The killed client's backend leaves once it notices; until then it holds the lease.
    pg::Connection conn = Connect(url);
    for (int i = 0; i < 1000 && Value(&conn, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                             "'pleat' AND datname = current_database()") != "0"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return true;
  }

  static std::vector<Finding> Findings(const std::string& url) {
    std::vector<Finding> findings;
    Status s = engine::Lifecycle(OptionsFor(url)).Verify(&findings);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return findings;
  }

  static void Run(const std::string& url, const Command& command) {
    engine::Lifecycle lifecycle(CrashOptions(url));
    Status s = command(&lifecycle);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // For every kill point of `command` (run after `prepare`): kill, run `recover`, compare with `expected`.
  void EveryKillPoint(const std::string& name, const Command& prepare, const Command& command,
                      const Command& recover, const Snapshot& expected) {
    int points = 0;
    std::string prepared = PreparedDatabase(prepare);
    for (int kill_at = 0;; ++kill_at) {
      SCOPED_TRACE(name + " killed before hook call " + std::to_string(kill_at));
      std::string url = CopyDatabase(prepared);
      if (!RunKilledAt(url, command, kill_at)) break;
      Run(url, recover);
      Snapshot got = Take(url);
      EXPECT_EQ(expected, got);
      if (got.phase == "active") {
        EXPECT_EQ(0u, Findings(url).size()) << "verify after the recovered start";
      }
      ++points;
      DropDatabase(url);
    }
    EXPECT_GT(points, 3) << name << " has too few steps for this test to prove anything";
  }

  // Kills every phase of migration `m` (named 02_reshape) at each of its steps.
  void EveryPhase(const MigrationFile& m);

  MigrationFile create_{"01_items", kCreateItems};
  MigrationFile reshape_{"02_reshape", kReshape};
  MigrationFile widen_key_{"02_reshape", kWidenKey};
  std::string setup_sql_;  // run on every fresh database after the rows
  std::string fresh_;      // the fresh database the others are copies of
};

void CrashPoints::EveryPhase(const MigrationFile& m) {
  std::string vs;
  Command start = [&](engine::Lifecycle* l) { return l->Start(m.path(), false, &vs); };
  Command complete = [](engine::Lifecycle* l) { return l->Complete(); };
  Command rollback = [](engine::Lifecycle* l) { return l->Rollback(); };

  std::string url = FreshDatabase();
  Snapshot before = Take(url);
  Options counting = CrashOptions(url);
  int batches = 0;
  counting.before_step = [&](const std::string& phase, const std::string&) { batches += phase == "backfill"; };
  Status s = engine::Lifecycle(counting).Start(m.path(), false, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(batches, 3) << "the backfill should take several batches, so that kills fall between them";
  Snapshot started = Take(url);
  Run(url, complete);
  Snapshot completed = Take(url);
  ASSERT_EQ("active", started.phase);
  ASSERT_EQ("completed", completed.phase);

  EveryKillPoint("start, then start again", nullptr, start, start, started);
  EveryKillPoint("start, then rollback", nullptr, start, rollback, before);
  EveryKillPoint("complete, then complete again", start, complete, complete, completed);
  EveryKillPoint("rollback, then rollback again", start, rollback, rollback, before);
}

TEST_F(CrashPoints, EveryStepOfEveryPhaseRecovers) { EveryPhase(reshape_); }

// A complete killed before its point of no return (the drop of the old
// version schema) can be rolled back to the exact schema and rows; one killed
// after it refuses rollback and is finished by complete.
TEST_F(CrashPoints, CompleteKilledAnywhereIsRolledBackOrFinished) {
  std::string vs;
  Command start = [&](engine::Lifecycle* l) { return l->Start(reshape_.path(), false, &vs); };
  Command complete = [](engine::Lifecycle* l) { return l->Complete(); };
  std::string url = FreshDatabase();
  Snapshot before = Take(url);
  Run(url, start);
  Run(url, complete);
  Snapshot completed = Take(url);
  std::string started = PreparedDatabase(start);
  int rolled_back = 0, finished = 0;
  for (int kill_at = 0;; ++kill_at) {
    SCOPED_TRACE("complete killed before hook call " + std::to_string(kill_at));
    url = CopyDatabase(started);
    if (!RunKilledAt(url, complete, kill_at)) break;
    pg::Connection conn = Connect(url);
    bool gone = Value(&conn, "SELECT count(*) FROM pleat.journal WHERE phase = 'complete' AND step_id = "
                             "'drop_old_version'") == "1";
    Status s = engine::Lifecycle(CrashOptions(url)).Rollback();
    if (gone) {
      EXPECT_FALSE(s.ok()) << "rollback after the old version was dropped";
      Run(url, complete);
      EXPECT_EQ(completed, Take(url));
      ++finished;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(before, Take(url));
      ++rolled_back;
    }
    DropDatabase(url);
  }
  EXPECT_GE(rolled_back, 2) << "kills before the point of no return";
  EXPECT_GE(finished, 3) << "kills after it";
}

TEST_F(CrashPoints, EveryStepOfAPrimaryKeyWideningRecovers) {
  setup_sql_ = kItemTags;
  EveryPhase(widen_key_);
}

}  // namespace
}  // namespace pleat::testing
