// `pleat verify` and `pleat complete --force` through the real binary: exit 0
// and "verify: clean" when both versions agree; exit 1 with the finding (text
// and --json) when a write went around the triggers; complete refuses with
// exit 1 and changes nothing; --force completes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_pleat.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char* kAccounts = R"(
operations:
  - create_table:
      name: accounts
      columns:
        - {name: id, type: int, pk: true}
        - {name: cents, type: int}
)";

const char* kTenths = R"(
operations:
  - alter_column:
      table: accounts
      column: cents
      type: bigint
      up: cents * 10
      down: cents / 10
)";

class VerifyCli : public PleatTest {};

TEST_F(VerifyCli, CleanThenFindingThenForce) {
  PleatOk({"start", "--complete", WriteFile("01_accounts.yaml", kAccounts)});
  Query("INSERT INTO accounts SELECT g, g FROM generate_series(1, 100) g");
  PleatOk({"start", WriteFile("02_tenths.yaml", kTenths)});
  EXPECT_EQ("verify: clean", PleatOk({"verify"}).LastLine());

  // a write that bypasses the triggers (session_replication_role needs a superuser)
  pg::Connection admin = Connect(UrlAs(url_, "postgres"));
  Exec(&admin, "SET session_replication_role = replica; UPDATE accounts SET cents = 0 WHERE id = 7");
  PleatRun run = Pleat({"verify"});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.out.find("error [rows-disagree]: table \"accounts\": 1 row where")) << run.Describe();
  EXPECT_NE(std::string::npos, run.out.find("(\"id\")=(7)")) << run.Describe();
  run = Pleat({"verify", "--json"});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  nlohmann::json j = nlohmann::json::parse(run.out.substr(0, run.out.find('\n')));
  EXPECT_EQ(false, j["clean"]) << j;
  EXPECT_EQ("rows-disagree", j["findings"][0]["rule"]) << j;
  EXPECT_EQ(1, j["findings"][0]["count"]) << j;

  run = Pleat({"complete"});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("pleat complete --force")) << run.Describe();
  EXPECT_EQ("active", Query("SELECT phase FROM pleat.migrations WHERE name = '02_tenths'"));
  run = PleatOk({"complete", "--force"});
  EXPECT_NE(std::string::npos, run.err.find("WARNING")) << run.Describe();
  EXPECT_EQ("completed", Query("SELECT phase FROM pleat.migrations WHERE name = '02_tenths'"));
}

}  // namespace
}  // namespace pleat::testing
