// End-to-end tests of `pleat demo`: the binary runs the whole narrated
// scenario (private server, or a schema of its own in a given database) and
// must exit 0 with every write acknowledged, every row consistent and no
// write lost; with a URL it must touch nothing outside its own schemas.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "cli/run_pleat.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

// The numbers captured by `pattern` in `text`, or an empty vector.
std::vector<long long> Numbers(const std::string& text, const std::string& pattern) {
  std::smatch m;
  std::vector<long long> out;
  if (!std::regex_search(text, m, std::regex(pattern))) return out;
  for (size_t i = 1; i < m.size(); ++i) out.push_back(std::stoll(m[i]));
  return out;
}

// Lines of the story every run prints: pleat's own steps and the demo's notes.
const char* kStoryLines[] = {
    "pleat: create table \"contract_clients\" from columns of \"contracts\"",
    "pleat: create table \"contract_workers\" from columns of \"contracts\"",
    "pleat: install the triggers that move columns between \"contracts\" and \"contract_workers\"", "Expand:",
    "Dual write:", "Backfill:", "(as Prisma 7 does)", "app v1 is retired",
    "pleat: remove the triggers that move columns between \"contracts\" and \"contract_clients\"",
    "contracts(id, title, start_date, end_date)", "contract_clients(id, contract_id, commission_fee)",
    "contract_workers(id, contract_id, commission_fee)", "no write was lost."};

// The checks every successful run must pass, whatever database it used.
void ExpectHealthyRun(const PleatRun& run, long long seeded) {
  ASSERT_EQ(0, run.exit_code) << run.Describe();
  for (const char* line : kStoryLines)
    EXPECT_NE(std::string::npos, run.out.find(line)) << "missing: " << line << "\n" << run.Describe();
  auto backfilled = Numbers(run.out, R"(backfilled "contracts": (\d+) rows)");
  ASSERT_EQ(1u, backfilled.size()) << run.Describe();
  EXPECT_GE(backfilled[0], seeded);
  auto checked =
      Numbers(run.out, R"(Checked (\d+) contracts \((\d+) seeded, (\d+) inserted by v1, (\d+) by v2\): (\d+) mismatches)");
  ASSERT_EQ(5u, checked.size()) << run.Describe();
  EXPECT_EQ(seeded, checked[1]);
  EXPECT_GT(checked[2], 0) << "app v1 inserted nothing before the check";
  EXPECT_GT(checked[3], 0) << "app v2 inserted nothing before the check";
  EXPECT_EQ(0, checked[4]);
  for (const char* app : {"v1 \\(old\\)", "v2 \\(new\\)"}) {
    auto w = Numbers(run.out, std::string("App ") + app +
                                  R"(: (\d+) writes acknowledged \((\d+) inserts, (\d+) updates\), (\d+) failed)");
    ASSERT_EQ(4u, w.size()) << app << "\n" << run.Describe();
    EXPECT_GT(w[1], 0) << app;
    EXPECT_GT(w[2], 0) << app;
    EXPECT_EQ(0, w[3]) << app;
  }
  auto rows = Numbers(run.out, R"(Rows in contracts: (\d+) = (\d+) seeded \+ (\d+) from v1 \+ (\d+) from v2)");
  ASSERT_EQ(4u, rows.size()) << run.Describe();
  EXPECT_EQ(rows[0], rows[1] + rows[2] + rows[3]);
  EXPECT_GT(Numbers(run.out, R"(App v2 kept writing: (\d+) writes since complete)").at(0), 0);
}

TEST(Demo, RunsOnAPrivateServerAndRemovesIt) {
  PleatRun run = RunPleat({"demo", "--rows", "1000"}, {.timeout_s = 180});
  ExpectHealthyRun(run, 1000);
  EXPECT_NE(std::string::npos, run.out.find("Version schemas left: \"public_02_split_contracts\".")) << run.Describe();
  std::smatch dir;
  std::string out = run.out;
  ASSERT_TRUE(std::regex_search(out, dir, std::regex(R"(Started a private PostgreSQL in (\S+) )"))) << run.Describe();
  EXPECT_FALSE(std::filesystem::exists(dir[1].str())) << dir[1] << " was left behind";
}

class DemoOnOwnDatabase : public PleatTest {};

// Twice, through --url and then DATABASE_URL: the second run starts over in
// its own schemas, and the user's tables and pleat state are never touched.
TEST_F(DemoOnOwnDatabase, UsesOnlyItsOwnSchemasAndReruns) {
  pg::Connection conn = Connect(url_);
  Exec(&conn, "CREATE TABLE public.contracts (id int, title text); INSERT INTO public.contracts VALUES (1, 'mine')");
  ExpectHealthyRun(Pleat({"demo", "--rows", "500"}, {.timeout_s = 180}), 500);
  PleatRun again = RunPleat({"demo", "--rows", "500"}, {.set = {{"DATABASE_URL", url_}}, .timeout_s = 180});
  ExpectHealthyRun(again, 500);
  for (const char* line : {"Using your database, only in schema \"pleat_demo\"",
                           "Version schemas left: \"pleat_demo_02_split_contracts\".", "DROP SCHEMA pleat_demo,"})
    EXPECT_NE(std::string::npos, again.out.find(line)) << "missing: " << line << "\n" << again.Describe();
  EXPECT_EQ("1|mine", Rows(&conn, "SELECT * FROM public.contracts"));
  EXPECT_EQ("pleat_demo\npleat_demo_02_split_contracts\npleat_demo_state",
            Rows(&conn, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pleat%' ORDER BY 1"));
  EXPECT_EQ("id, title, start_date, end_date",
            Value(&conn, "SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute"
                         " WHERE attrelid = 'pleat_demo.contracts'::regclass AND attnum > 0 AND NOT attisdropped"));
}

TEST_F(DemoOnOwnDatabase, RefusesASchemaItDidNotCreate) {
  pg::Connection conn = Connect(url_);
  Exec(&conn, "CREATE SCHEMA pleat_demo; CREATE TABLE pleat_demo.keep (x int)");
  PleatRun run = Pleat({"demo"});
  EXPECT_EQ(3, run.exit_code) << run.Describe();
  EXPECT_NE(std::string::npos, run.err.find("schema \"pleat_demo\" exists and was not created by `pleat demo`"))
      << run.Describe();
  EXPECT_EQ("pleat_demo.keep", Value(&conn, "SELECT to_regclass('pleat_demo.keep')::text"));
}

}  // namespace
}  // namespace pleat::testing
