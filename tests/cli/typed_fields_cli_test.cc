// A type smuggling SQL into pleat's DDL is refused by `check` and by `start`
// before anything runs: the table the payload drops is still there.
#include <gtest/gtest.h>

#include "cli/run_pleat.h"

namespace pleat::testing {
namespace {

const char kInjected[] = R"(
operations:
  - add_column:
      table: users
      column: {name: nickname, type: "text; DROP TABLE victim CASCADE; --", nullable: true}
)";

class TypedFieldsCli : public PleatTest {
 protected:
  void SetUp() override {
    PleatTest::SetUp();
    Query("CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE victim (id int)");
  }
};

TEST_F(TypedFieldsCli, CheckAndStartRefuseSqlInAType) {
  std::string file = WriteFile("02_nickname.yaml", kInjected);
  for (const char* command : {"check", "start"}) {
    PleatRun run = Pleat({command, file});
    EXPECT_EQ(3, run.exit_code) << command << ": " << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find("operation 1 (add_column) column \"nickname\" type")) << run.Describe();
    EXPECT_EQ("1", Query("SELECT count(*) FROM pg_class WHERE relname = 'victim'")) << command;
  }
  EXPECT_EQ("0", Query("SELECT count(*) FROM pg_attribute WHERE attname = 'nickname'"));
}

}  // namespace
}  // namespace pleat::testing
