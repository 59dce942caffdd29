// `pleat check FILE` and the preflight of `pleat start` as a script sees them:
// findings on stdout (text or one JSON object), exit 1 on an error finding and
// 0 otherwise, the planned steps, nothing changed; `start` refusing with exit
// 1 and `--force` going on, loudly.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_pleat.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

using nlohmann::json;

const char kNotNull[] = R"(
operations:
  - alter_column:
      table: users
      column: email
      nullable: false
      up: email
      down: email
)";

class CheckCli : public PleatTest {
 protected:
  void SetUp() override {
    PleatTest::SetUp();
    Query("CREATE TABLE users (id int PRIMARY KEY, email text); "
          "INSERT INTO users VALUES (1, 'a@x'), (2, NULL), (3, NULL)");
  }
};

void ExpectContains(const std::string& text, const std::vector<std::string>& parts) {
  for (const auto& part : parts) EXPECT_NE(std::string::npos, text.find(part)) << "missing: " << part << "\nin:\n" << text;
}

TEST_F(CheckCli, TextFindingsPlanAndExitCode) {
  std::string file = WriteFile("02_email.yaml", kNotNull);
  PleatRun run = Pleat({"check", file});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  ExpectContains(run.out, {"1 error", "error [not-null-violation]: operation 1 (alter_column), table \"users\" column \"email\": 2 rows",
                           "    (\"id\")=(2): email=NULL\n", "    (\"id\")=(3): email=NULL\n", "  fix: make `up` give these rows a value",
                           "plan of start:", "plan of complete:", "plan of rollback:", "backfill"});
  EXPECT_EQ(std::string::npos, run.out.find("ALTER TABLE")) << "SQL only with --sql";
  EXPECT_NE(std::string::npos, Pleat({"check", "--sql", file}).out.find("ALTER TABLE"));
  // changes nothing: no state schema, no shadow column
  EXPECT_EQ("", Query("SELECT nspname FROM pg_namespace WHERE nspname = 'pleat'"));
  EXPECT_EQ("2", Query("SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0"));
}

TEST_F(CheckCli, JsonFindings) {
  PleatRun run = Pleat({"--json", "check", WriteFile("02_email.yaml", kNotNull)});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  std::string first = run.out.substr(0, run.out.find('\n'));
  json j = json::parse(first, nullptr, false);
  ASSERT_TRUE(j.is_object()) << run.Describe();
  ASSERT_EQ(1u, j["findings"].size()) << j;
  const json& f = j["findings"][0];
  EXPECT_EQ("error", f["severity"]);
  EXPECT_EQ("not-null-violation", f["rule"]);
  EXPECT_EQ(1, f["operation"]);
  EXPECT_EQ(2, f["count"]);
  EXPECT_EQ(json::array({"(\"id\")=(2): email=NULL", "(\"id\")=(3): email=NULL"}), f["examples"]);
  EXPECT_TRUE(j["plans"].contains("start")) << j;
}

TEST_F(CheckCli, CleanDataExitsZero) {
  Query("UPDATE users SET email = 'none' WHERE email IS NULL");
  PleatRun run = PleatOk({"check", WriteFile("02_email.yaml", kNotNull)});
  EXPECT_NE(std::string::npos, run.out.find("no findings")) << run.Describe();
}

TEST_F(CheckCli, StartRefusesThenForceGoesOn) {
  std::string file = WriteFile("02_email.yaml", kNotNull);
  std::string dump = DumpSchema(url_, "public");
  PleatRun run = Pleat({"start", file});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  ExpectContains(run.err, {"not-null-violation", "nothing was changed", "--force"});
  EXPECT_EQ(dump, DumpSchema(url_, "public"));
  run = PleatOk({"start", "--force", file});
  EXPECT_EQ("public_02_email", run.LastLine());
  EXPECT_NE(std::string::npos, run.err.find("WARNING: --force")) << run.Describe();
}

TEST_F(CheckCli, SampleSaysSo) {
  PleatRun run = Pleat({"check", "--sample", "10", WriteFile("02_email.yaml", kNotNull)});
  EXPECT_EQ(1, run.exit_code) << run.Describe();
  ExpectContains(run.out, {"warning [sampled]", "--sample"});
}

}  // namespace
}  // namespace pleat::testing
