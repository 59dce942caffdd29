// End-to-end tests of how `pleat` fails and where it connects: exit codes (0 ok,
// 2 usage, 3 migration or database error), error messages that name the file,
// the operation and the object and give a hint (text on stderr, or one JSON
// object on stdout with --json), and connection selection exactly like psql.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

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
)";

// `text` with every `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// A file `start` must refuse, and what the error must say.
struct RefusedFile {
  std::string file;                  // in the scratch directory
  std::string text;                  // its contents; "-" leaves the file missing
  std::vector<std::string> message;  // all expected in the error message
  std::string hint;                  // expected in the hint
};

// A way of choosing the database; "{a}"/"{b}" are two fresh databases' URLs and
// "{host}", "{port}", "{db_a}", "{db_b}" their parts. The command must reach "{a}".
struct ConnectionCase {
  const char* name;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
};

class CliErrors : public PleatTest {
 protected:
  // `start` fails with exit code 3 naming everything in `c`, as text on stderr
  // and, with --json, as one JSON object on stdout.
  void ExpectRefused(const RefusedFile& c) {
    std::string path = dir_ + "/" + c.file;
    if (c.text != "-") WriteFile(c.file, c.text);
    PleatRun run = Pleat({"start", path});
    EXPECT_EQ(3, run.exit_code) << c.file << "\n" << run.Describe();
    for (const auto& part : c.message) EXPECT_NE(std::string::npos, run.err.find(part)) << part << "\n" << run.Describe();
    size_t hint = run.err.find("\nhint: ");
    EXPECT_TRUE(hint != std::string::npos && run.err.find(c.hint, hint) != std::string::npos) << run.Describe();
    EXPECT_EQ(std::string::npos, run.err.find("file " + path + ": file ")) << "file named twice\n" << run.Describe();

    PleatRun as_json = Pleat({"start", path, "--json"});
    json j = json::parse(as_json.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << c.file << ": stdout is not one JSON object\n" << as_json.Describe();
    EXPECT_EQ(3, j.value("exit_code", 0)) << j;
    for (const auto& part : c.message) EXPECT_NE(std::string::npos, j.value("error", "").find(part)) << part << "\n" << j;
    EXPECT_NE(std::string::npos, j.value("hint", "").find(c.hint)) << j;
    EXPECT_EQ(std::string::npos, as_json.err.find("pleat: error")) << as_json.Describe();
  }

  // Runs `init` chosen by `c` and checks that it initialized database a, not b.
  void ExpectReachesA(const ConnectionCase& c) {
    static const std::regex kUrl(R"(^postgresql://postgres@/([^?]+)\?host=([^&]+)&port=(\d+)$)");
    std::string a = NewDatabase(), b = NewDatabase();
    std::smatch ma, mb;
    ASSERT_TRUE(std::regex_match(a, ma, kUrl) && std::regex_match(b, mb, kUrl)) << a << " " << b;
    const std::map<std::string, std::string> vars = {{"{a}", a}, {"{b}", b}, {"{db_a}", ma[1]},
                                                     {"{db_b}", mb[1]}, {"{host}", ma[2]}, {"{port}", ma[3]}};
    auto expand = [&vars](std::string s) {
      for (const auto& [from, to] : vars) s = ReplaceAll(s, from, to);
      return s;
    };
    std::vector<std::string> args;
    for (const auto& arg : c.args) args.push_back(expand(arg));
    RunEnv env;
    for (const auto& [k, v] : c.env) env.set[k] = expand(v);
    PleatRun run = RunPleat(args, env);
    EXPECT_EQ(0, run.exit_code) << c.name << "\n" << run.Describe();
    pg::Connection conn_a = Connect(a), conn_b = Connect(b);
    const std::string q = "SELECT count(*) FROM pg_namespace WHERE nspname = 'pleat'";
    EXPECT_EQ("1", Value(&conn_a, q)) << c.name << ": not initialized in the chosen database";
    EXPECT_EQ("0", Value(&conn_b, q)) << c.name << ": initialized the other database";
  }
};

TEST_F(CliErrors, ExitCodes) {
  struct Case {
    const char* name;
    std::vector<std::string> args;  // "{dir}" becomes the scratch directory
    int exit_code;
    std::string err;  // expected in stderr
    bool with_url = true;
  };
  const Case cases[] = {
      {"help", {"--help"}, 0, ""},
      {"no command", {}, 2, "a command is required"},
      {"unknown command", {"frobnicate"}, 2, "unknown command \"frobnicate\""},
      {"unknown option", {"status", "--frob"}, 2, "--frob"},
      {"start without FILE", {"start"}, 2, "start: FILE is required"},
      {"bad lock timeout", {"--lock-timeout", "abc", "status"}, 2, "--lock-timeout \"abc\" is not a duration"},
      {"lock timeout past int64", {"--lock-timeout", "99999999999999999999ms", "status"}, 2, "is longer than a day"},
      {"lock timeout past int", {"--lock-timeout", "99999999s", "status"}, 2, "is longer than a day"},
      {"backfill target past a day", {"--backfill-target", "1441m", "status"}, 2, "is longer than a day"},
      {"missing file", {"start", "{dir}/missing.yaml"}, 3, "cannot be read"},
      {"missing directory", {"migrate", "{dir}/nowhere"}, 3, "nowhere"},
      {"complete with nothing started", {"complete"}, 3, "no migration is in progress"},
      {"rollback with nothing started", {"rollback"}, 3, "no migration is in progress"},
      {"latest with nothing started", {"latest"}, 3, "no migration has been started"},
      {"cannot connect", {"--url", "postgresql://postgres@/x?host={dir}/none&port=1", "status"}, 3,
       "cannot connect to PostgreSQL", false},
      {"malformed url", {"--url", "postgresql://[bad", "status"}, 2, "the connection URL is malformed", false},
      {"malformed url escape", {"--url", "postgresql://%zz@/x", "status"}, 2, "the connection URL is malformed", false},
      {"start a directory", {"start", "{dir}"}, 2, "is a directory, not a migration file"},
      {"migrate an empty directory", {"migrate", "{dir}"}, 3, "holds no migration file"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args;
    for (const auto& a : c.args) args.push_back(ReplaceAll(a, "{dir}", dir_));
    PleatRun run = c.with_url ? Pleat(args) : RunPleat(args);
    EXPECT_EQ(c.exit_code, run.exit_code) << c.name << "\n" << run.Describe();
    EXPECT_NE(std::string::npos, run.err.find(c.err)) << c.name << "\n" << run.Describe();
    if (c.exit_code != 0) {
      EXPECT_NE(std::string::npos, run.err.find("\nhint: ")) << c.name << "\n" << run.Describe();
    }
  }
}

TEST_F(CliErrors, JsonSqlstateIsNullUnlessTheServerRaisedIt) {
  PleatRun usage = Pleat({"--json", "--lock-timeout", "x", "status"});
  nlohmann::json j = nlohmann::json::parse(usage.LastLine(), nullptr, false);
  ASSERT_TRUE(j.is_object()) << usage.Describe();
  EXPECT_TRUE(j.contains("sqlstate") && j["sqlstate"].is_null()) << j;
  std::string file = WriteFile("01_divide.yaml", "operations:\n  - sql: {up: SELECT 1/0}\n");
  PleatRun server = Pleat({"--json", "start", file});
  j = nlohmann::json::parse(server.LastLine(), nullptr, false);
  ASSERT_TRUE(j.is_object() && j["sqlstate"].is_string()) << server.Describe();
  EXPECT_EQ("22012", j["sqlstate"].get<std::string>()) << j;
}

TEST_F(CliErrors, MessagesNameTheFileTheOperationAndTheFix) {
  const RefusedFile cases[] = {
      {"01_yaml.yaml", "operations:\n  - create_table:\n      name: x\n     columns: [\n",
       {"01_yaml.yaml", "line 4"}, "fix the YAML syntax"},
      {"02_json.json", "{\"operations\": [\n  {\"create_table\": {\n    \"name\": }}]}",
       {"02_json.json", "line 3"}, "fix the JSON syntax"},
      {"03_key.yaml",
       "operations:\n  - create_table: {name: t, columns: [{name: id, type: int, pk: true}]}\n"
       "  - add_column: {table: t, colour: red, column: {name: c, type: text, nullable: true}}\n",
       {"03_key.yaml", "operation 2 (add_column)", "unknown key \"colour\"", "allowed keys: column, table"},
       "remove the key or fix its spelling"},
      {"04_two.yaml",
       "operations:\n  - create_table: {name: t, columns: [{name: id, type: int, pk: true}]}\n"
       "  - create_table: {name: u, columns: [{name: id, type: int, pk: true}]}\n"
       "    add_column: {table: t, column: {name: c, type: text, nullable: true}}\n",
       {"04_two.yaml", "operation 2 has 2 keys (\"add_column\", \"create_table\")"}, "its own list item"},
      {"05_indent.yaml", "operations:\n  - create_table:\n    name: t\n    columns: []\n",
       {"05_indent.yaml", "operation 1 has 3 keys"}, "indent \"columns\", \"name\" under `create_table:`"},
      {"06_op.yaml", "operations:\n  - make_table: {name: t}\n",
       {"06_op.yaml", "operation 1", "unknown operation \"make_table\""}, "create_table, add_column"},
      {"07_missing.yaml", "-", {"07_missing.yaml", "cannot be read"}, "check the path"},
      {"08_table.yaml", "operations:\n  - add_column: {table: nope, column: {name: c, type: text, nullable: true}}\n",
       {"08_table.yaml", "operation 1 (add_column)", "table \"nope\" does not exist"}, "fix the table name"},
      {"09_expr.yaml",
       std::string(kUsers) + "  - add_column: {table: users, up: 'upper(', column: {name: c, type: text, nullable: true}}\n",
       {"09_expr.yaml", "operation 2 (add_column)", "syntax error"}, "fix the SQL expression"},
      {"10_empty.yaml", "", {"10_empty.yaml", "is empty"}, "add an `operations:` list"},
  };
  for (const RefusedFile& c : cases) ExpectRefused(c);
  EXPECT_EQ("", Query("SELECT string_agg(nspname, ',') FROM pg_namespace WHERE nspname LIKE 'public\\_%'"))
      << "a refused file left a version schema";
}

TEST_F(CliErrors, ConnectionSelectionLikePsql) {
  const ConnectionCase cases[] = {
      {"--url", {"--url", "{a}", "init"}, {}},
      {"--postgres-url", {"--postgres-url", "{a}", "init"}, {}},
      {"--url after the command", {"init", "--url", "{a}"}, {}},
      {"--url as key=value", {"--url", "host={host} port={port} dbname={db_a} user=postgres", "init"}, {}},
      {"DATABASE_URL", {"init"}, {{"DATABASE_URL", "{a}"}}},
      {"--url wins over DATABASE_URL", {"--url", "{a}", "init"}, {{"DATABASE_URL", "{b}"}}},
      {"PG* variables", {"init"},
       {{"PGHOST", "{host}"}, {"PGPORT", "{port}"}, {"PGDATABASE", "{db_a}"}, {"PGUSER", "postgres"}}},
      {"DATABASE_URL wins over PGDATABASE", {"init"},
       {{"DATABASE_URL", "{a}"}, {"PGHOST", "{host}"}, {"PGPORT", "{port}"}, {"PGDATABASE", "{db_b}"}}},
      {"PGDATABASE fills a URL without one", {"--url", "postgresql://postgres@/?host={host}&port={port}", "init"},
       {{"PGDATABASE", "{db_a}"}}},
  };
  for (const ConnectionCase& c : cases) ExpectReachesA(c);
}

}  // namespace
}  // namespace pleat::testing
