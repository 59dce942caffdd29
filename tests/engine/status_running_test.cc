// `status` tells a running command from an interrupted one: while a start runs
// it names the command, host, pid and current step, and says nothing was
// interrupted; once no pleat holds the lease a half-done start is interrupted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

TEST(StatusRunning, RunningStartIsNotInterrupted) {
  std::string url = NewDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 100) g");
  MigrationFile file("01_w", "operations:\n  - add_column:\n      table: t\n      up: v * 2\n"
                             "      column: {name: w, type: int, nullable: true}\n");
  std::promise<void> reached, go;
  std::shared_future<void> go_future = go.get_future().share();
  std::string paused_step;
  Options options = OptionsFor(url);
  options.before_step = [&, first = true](const std::string& phase, const std::string& id) mutable {
    if (phase != "start" || id.empty() || !first) return;
    first = false;
    paused_step = id;
    reached.set_value();
    go_future.wait();
  };
  Status started;
  std::thread runner([&] {
    std::string vs;
    started = engine::Lifecycle(options).Start(file.path(), false, &vs);
  });
  reached.get_future().wait();
  nlohmann::json st;
  Status s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  go.set_value();
  runner.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_FALSE(st["running"].is_null()) << st.dump();
  EXPECT_EQ("start", st["running"]["command"]);
  EXPECT_EQ(getpid(), st["running"]["pid"].get<int>());
  EXPECT_FALSE(st["running"]["started_at"].get<std::string>().empty());
  const auto& a = st["active"];
  EXPECT_EQ("starting", a["phase"]);
  EXPECT_FALSE(a["interrupted"].get<bool>()) << st.dump();
  EXPECT_EQ("start", a["current_step"]["phase"]);
  EXPECT_EQ(paused_step, a["current_step"]["step"]["id"]);
  EXPECT_EQ(0, a["current_step"]["steps_done"].get<int>());
  EXPECT_GT(a["current_step"]["steps_total"].get<int>(), 1);

  // What a start killed halfway leaves: phase starting, some steps undone, no holder.
  Exec(&conn, "UPDATE pleat.migrations SET phase = 'starting'; DELETE FROM pleat.journal WHERE step_id = (SELECT "
              "step_id FROM pleat.journal ORDER BY done_at DESC LIMIT 1)");
  s = engine::Lifecycle(OptionsFor(url)).GetStatus(&st);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(st["running"].is_null()) << st.dump();
  EXPECT_TRUE(st["active"]["interrupted"].get<bool>()) << st.dump();
  EXPECT_EQ(st["active"]["current_step"]["steps_total"].get<int>() - 1,
            st["active"]["current_step"]["steps_done"].get<int>());
}

}  // namespace
}  // namespace pleat::testing
