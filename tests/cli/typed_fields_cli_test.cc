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

// What `start` refuses when validating against the schema, `check` refuses
// too, with the same message, and neither changes anything.
TEST_F(TypedFieldsCli, CheckRefusesWhatStartRefuses) {
  Query("CREATE TABLE accounts (id int PRIMARY KEY, email text, note text)");
  struct Case {
    const char* file;
    const char* text;
    const char* message;
  } cases[] = {
      {"02_down.yaml", "operations:\n  - alter_column: {table: accounts, column: email, nullable: true, down: nosuch}\n",
       "down of column \"email\" refers to column \"nosuch\", which table \"accounts\" does not have"},
      {"02_up.yaml", "operations:\n  - alter_column: {table: accounts, column: email, up: lower(nosuch)}\n",
       "up of column \"email\" refers to column \"nosuch\""},
      {"02_include.yaml",
       "operations:\n  - create_constraint: {table: accounts, name: email_unique, type: unique, columns: [email], "
       "index_parameters: {include_columns: [nosuch]}, up: {email: email}, down: {email: email}}\n",
       "constraint \"email_unique\" names column \"nosuch\", which table \"accounts\" does not have"},
  };
  for (const Case& c : cases) {
    std::string file = WriteFile(c.file, c.text);
    for (const char* command : {"check", "start"}) {
      PleatRun run = Pleat({command, file});
      EXPECT_EQ(3, run.exit_code) << c.file << " " << command << ": " << run.Describe();
      EXPECT_NE(std::string::npos, run.err.find(c.message)) << c.file << " " << command << ": " << run.Describe();
    }
    EXPECT_EQ("0", Query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'public\\_02%'")) << c.file;
  }
}

}  // namespace
}  // namespace pleat::testing
