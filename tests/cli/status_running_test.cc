// `pleat status` tells a running command from an interrupted one: with a live
// lease holder it names the command, host and pid and says to wait; without
// one, a half-done start is "interrupted" and says where it stopped.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_pleat.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

class StatusRunning : public PleatTest {};

TEST_F(StatusRunning, RunningAndInterruptedStartDiffer) {
  Query("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 10) g");
  PleatOk({"start", WriteFile("01_w.yaml", "operations:\n  - add_column:\n      table: t\n      up: v * 2\n"
                                           "      column: {name: w, type: int, nullable: true}\n")});
  // What a start killed before its last step leaves.
  Query("UPDATE pleat.migrations SET phase = 'starting'; DELETE FROM pleat.journal WHERE step_id = (SELECT step_id"
        " FROM pleat.journal ORDER BY done_at DESC LIMIT 1)");
  std::string out = PleatOk({"status"}).out;
  EXPECT_NE(std::string::npos, out.find("start was interrupted")) << out;
  EXPECT_NE(std::string::npos, out.find("stopped at start step ")) << out;
  EXPECT_EQ(std::string::npos, out.find("running:")) << out;

  // A live `pleat start` elsewhere: its lease row, its command connection open.
  pg::Connection holder = Connect(url_);
  Exec(&holder, "INSERT INTO pleat.lease SELECT 'public', 'x', 'db-host-9', 4242, 'start', pid, backend_start, now(),"
                " now(), now() + interval '1 minute' FROM pg_stat_activity WHERE pid = pg_backend_pid()");
  out = PleatOk({"status"}).out;
  EXPECT_NE(std::string::npos, out.find("running: `pleat start` from host db-host-9 pid 4242")) << out;
  EXPECT_NE(std::string::npos, out.find("working on start step ")) << out;
  EXPECT_NE(std::string::npos, out.find("next: wait: `pleat start` is working on it")) << out;
  EXPECT_EQ(std::string::npos, out.find("interrupted")) << out;
  nlohmann::json st = nlohmann::json::parse(PleatOk({"status", "--json"}).out);
  EXPECT_EQ("db-host-9", st["running"]["host"]) << st.dump();
  EXPECT_FALSE(st["active"]["interrupted"].get<bool>()) << st.dump();
  PleatRun busy = Pleat({"rollback"});
  EXPECT_EQ(3, busy.exit_code) << busy.Describe();
  EXPECT_NE(std::string::npos, busy.err.find("`pleat start` from host db-host-9 pid 4242")) << busy.Describe();
}

}  // namespace
}  // namespace pleat::testing
