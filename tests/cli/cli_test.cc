// End-to-end tests of the `pleat` binary's command-line contract (DESIGN.md,
// "Command line"): each command as a script would run it, against a fresh
// database, checking stdout, stderr, the exit code and the catalog.
// Error messages and connection selection are in cli_errors_test.cc.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_pleat.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

using nlohmann::json;

const char kUsers[] = R"(
operations:
  - create_table:
      name: users
      columns:
        - {name: id, type: serial, pk: true}
        - {name: name, type: text}
)";

// kUsers as JSON: the same migration must give the same schema.
const char kUsersJson[] = R"({"operations": [{"create_table": {"name": "users", "columns": [
  {"name": "id", "type": "serial", "pk": true}, {"name": "name", "type": "text"}]}}]})";

const char kShout[] = R"(
operations:
  - add_column:
      table: users
      up: upper(name)
      column: {name: shout, type: text, nullable: true}
)";

// Parses stdout as exactly one JSON object, or fails the test.
json OneObject(const PleatRun& run) {
  json j = json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(j.is_object()) << "stdout is not one JSON object\n" << run.Describe();
  return j.is_object() ? j : json::object();
}

// Fails the test for each of `parts` missing from `text`.
void ExpectContains(const std::string& text, const std::vector<std::string>& parts) {
  for (const auto& part : parts) EXPECT_NE(std::string::npos, text.find(part)) << "missing: " << part << "\nin:\n" << text;
}

class Cli : public PleatTest {};

TEST_F(Cli, InitIsIdempotent) {
  for (int i = 0; i < 2; ++i) {
    PleatRun run = PleatOk({"init"});
    EXPECT_NE(std::string::npos, run.out.find("\"pleat\" is ready")) << run.Describe();
  }
  EXPECT_EQ("pleat", Query("SELECT nspname FROM pg_namespace WHERE nspname = 'pleat'"));
  EXPECT_EQ("{\"initialized\":true}", PleatOk({"--json", "init"}).LastLine());
}

TEST_F(Cli, StartStatusCompleteRollback) {
  EXPECT_EQ("public_01_users", PleatOk({"start", WriteFile("01_users.yaml", kUsers)}).LastLine());
  EXPECT_EQ("public_01_users", PleatOk({"latest"}).LastLine());
  json st = OneObject(PleatOk({"status", "--json"}));
  EXPECT_EQ("01_users", st["active"]["name"]) << st;
  EXPECT_EQ("active", st["active"]["phase"]) << st;
  PleatOk({"complete"});
  st = OneObject(PleatOk({"status", "--json"}));
  EXPECT_TRUE(st["active"].is_null()) << st;
  EXPECT_EQ(json::array({"01_users"}), st["completed"]) << st;

  Query("INSERT INTO users (name) SELECT 'n' || g FROM generate_series(1, 2500) g");
  EXPECT_EQ("public_02_shout", PleatOk({"start", WriteFile("02_shout.yaml", kShout)}).LastLine());
  st = OneObject(PleatOk({"--json", "status"}));
  EXPECT_EQ("02_shout", st["active"]["name"]) << st;
  EXPECT_EQ("public_01_users", st["active"]["previous_version_schema"]) << st;
  ASSERT_EQ(1u, st["active"]["backfill"].size()) << st;
  EXPECT_EQ("users", st["active"]["backfill"][0]["table"]) << st;
  EXPECT_EQ(2500, st["active"]["backfill"][0]["rows_done"]) << st;
  EXPECT_EQ(true, st["active"]["backfill"][0]["done"]) << st;
  EXPECT_EQ("N2500", Query("SELECT shout FROM public_02_shout.users ORDER BY id DESC LIMIT 1"));

  ExpectContains(PleatOk({"status"}).out,
                 {"schema: public\n", "latest version schema: public_02_shout\n", "completed migrations: 1 (last: 01_users)\n",
                  "active migration: \"02_shout\", phase active", "backfill of \"users\": done, 2500 rows\n",
                  "next: run `pleat complete`"});

  PleatOk({"rollback"});
  EXPECT_EQ("", Query("SELECT nspname FROM pg_namespace WHERE nspname = 'public_02_shout'"));
  EXPECT_EQ("", Query("SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'shout'"));
  EXPECT_EQ("public_01_users", PleatOk({"latest"}).LastLine());
  EXPECT_NE(std::string::npos, PleatOk({"status"}).out.find("no migration in progress"));
}

TEST_F(Cli, StartWithComplete) {
  PleatRun run = PleatOk({"start", "--complete", WriteFile("01_users.yaml", kUsers)});
  EXPECT_EQ("public_01_users", run.LastLine());
  json st = OneObject(PleatOk({"status", "--json"}));
  EXPECT_TRUE(st["active"].is_null()) << st;
  EXPECT_EQ("public_01_users", st["latest_version_schema"]) << st;
  run = PleatOk({"--json", "start", WriteFile("02_shout.yaml", kShout), "--complete"});
  EXPECT_EQ(json({{"version_schema", "public_02_shout"}, {"completed", true}}), OneObject(run));
  EXPECT_EQ("", Query("SELECT nspname FROM pg_namespace WHERE nspname = 'public_01_users'"));
}

TEST_F(Cli, MigrateAppliesPendingFilesInNameOrder) {
  // Written out of order; 10 needs 01's table, so a wrong order fails.
  WriteFile("m/10_shout.yaml", kShout);
  WriteFile("m/02_posts.json", R"({"operations": [{"create_table": {"name": "posts", "columns": [
    {"name": "id", "type": "int", "pk": true}]}}]})");
  WriteFile("m/01_users.yaml", kUsers);
  WriteFile("m/README.md", "not a migration");
  std::string dir = dir_ + "/m";
  EXPECT_EQ("public_10_shout", PleatOk({"migrate", dir}).LastLine());
  json st = OneObject(PleatOk({"status", "--json"}));
  EXPECT_EQ(json::array({"01_users", "02_posts"}), st["completed"]) << st;
  EXPECT_EQ("10_shout", st["active"]["name"]) << st;

  PleatRun again = PleatOk({"migrate", dir});  // nothing new: 10 stays started
  EXPECT_EQ("public_10_shout", again.LastLine());
  EXPECT_EQ(std::string::npos, again.err.find("create table")) << again.Describe();
  EXPECT_EQ(st, OneObject(PleatOk({"status", "--json"})));

  EXPECT_EQ("public_10_shout", PleatOk({"migrate", "--complete", dir}).LastLine());
  st = OneObject(PleatOk({"status", "--json"}));
  EXPECT_EQ(json::array({"01_users", "02_posts", "10_shout"}), st["completed"]) << st;
  EXPECT_TRUE(st["active"].is_null()) << st;
  PleatRun done = PleatOk({"migrate", "--complete", dir});
  EXPECT_EQ("public_10_shout", done.LastLine());  // still tells scripts the current version
  EXPECT_NE(std::string::npos, done.err.find("nothing to migrate")) << done.Describe();
}

TEST_F(Cli, JsonFileGivesTheSameSchemaAsYaml) {
  EXPECT_EQ("public_01_users", PleatOk({"start", "--complete", WriteFile("01_users.yaml", kUsers)}).LastLine());
  std::string yaml_url = url_;
  url_ = NewOwnedDatabase();  // a second fresh database for the JSON twin
  EXPECT_EQ("public_01_users", PleatOk({"start", "--complete", WriteFile("01_users.json", kUsersJson)}).LastLine());
  for (const char* schema : {"public", "public_01_users"})
    EXPECT_EQ(DumpSchema(yaml_url, schema), DumpSchema(url_, schema)) << schema;
}

TEST_F(Cli, VersionSchemaKeyOverridesTheName) {
  std::string file = WriteFile("56_with_version_schema.yaml", "version_schema: with_version_schema\n" + std::string(kUsers));
  EXPECT_EQ("public_with_version_schema", PleatOk({"start", file}).LastLine());
  EXPECT_EQ("0", Query("SELECT count(*) FROM public_with_version_schema.users"));
  EXPECT_EQ("", Query("SELECT nspname FROM pg_namespace WHERE nspname = 'public_56_with_version_schema'"));
  PleatOk({"complete"});
  EXPECT_EQ("public_with_version_schema", PleatOk({"latest"}).LastLine());
  // --json output is real JSON even for a name that needs escaping.
  file = WriteFile("02_q.yaml", "version_schema: say \"hi\"\n" + std::string(kShout));
  EXPECT_EQ("public_say \"hi\"", OneObject(PleatOk({"--json", "start", file}))["version_schema"]);
  EXPECT_EQ("public_say \"hi\"", OneObject(PleatOk({"--json", "latest"}))["version_schema"]);
}

TEST_F(Cli, OtherTargetSchemaAndStateSchema) {
  Query("CREATE SCHEMA app");
  std::vector<std::string> flags = {"--schema", "app", "--state-schema", "custom_state"};
  std::vector<std::string> args = flags;
  args.insert(args.end(), {"start", WriteFile("01_users.yaml", kUsers)});
  EXPECT_EQ("app_01_users", PleatOk(args).LastLine());
  EXPECT_EQ("app.users", Query("SELECT 'app.users'::regclass::text"));
  EXPECT_EQ("", Query("SELECT to_regclass('public.users')"));
  EXPECT_EQ("1", Query("SELECT count(*) FROM custom_state.migrations"));
  EXPECT_EQ("", Query("SELECT nspname FROM pg_namespace WHERE nspname = 'pleat'"));
  EXPECT_EQ("0", Query("SELECT count(*) FROM app_01_users.users"));
  // Global flags may follow the command.
  json st = OneObject(PleatOk({"status", "--json", "--schema", "app", "--state-schema", "custom_state"}));
  EXPECT_EQ("app", st["schema"]) << st;
  EXPECT_EQ("01_users", st["active"]["name"]) << st;
  EXPECT_NE(std::string::npos, PleatOk({"status"}).out.find("not initialized")) << "default state schema is unused";
  args = flags;
  args.push_back("complete");
  PleatOk(args);
  EXPECT_EQ("app_01_users", PleatOk({"latest", "--schema", "app", "--state-schema", "custom_state"}).LastLine());
}

TEST_F(Cli, OneActiveMigrationAtATime) {
  std::string users = WriteFile("01_users.yaml", kUsers);
  EXPECT_EQ("public_01_users", PleatOk({"start", users}).LastLine());
  PleatRun other = Pleat({"start", WriteFile("02_other.yaml", kShout)});
  EXPECT_EQ(3, other.exit_code) << other.Describe();
  EXPECT_NE(std::string::npos, other.err.find("migration \"01_users\" is in progress")) << other.Describe();
  EXPECT_NE(std::string::npos, other.err.find("hint: run `pleat complete` or `pleat rollback` first"))
      << other.Describe();

  PleatRun same = PleatOk({"start", users});  // harmless: prints the same version schema, runs nothing
  EXPECT_EQ("public_01_users", same.LastLine());
  EXPECT_EQ(std::string::npos, same.err.find("create table")) << same.Describe();

  PleatOk({"complete"});
  PleatRun again = Pleat({"start", users});
  EXPECT_EQ(3, again.exit_code) << again.Describe();
  EXPECT_NE(std::string::npos, again.err.find("\"01_users\" was already completed")) << again.Describe();
  EXPECT_NE(std::string::npos, again.err.find("hint: ")) << again.Describe();
}

TEST_F(Cli, LockTimeoutAndFlagsAfterTheCommand) {
  EXPECT_EQ("public_01_users", PleatOk({"--lock-timeout", "2s", "start", WriteFile("01_users.yaml", kUsers)}).LastLine());
  PleatOk({"complete", "--lock-timeout", "250ms"});
  PleatRun run = RunPleat({"latest", "--json", "--url", url_});
  EXPECT_EQ(0, run.exit_code) << run.Describe();
  EXPECT_EQ("public_01_users", OneObject(run)["version_schema"]);
}

}  // namespace
}  // namespace pleat::testing
