// `pleat migrate DIR --together`: the pending files start as one window (one
// new version schema, the last file's), both versions take writes, rollback
// leaves the exact schema, complete gives the schema the files give one by
// one, and the window's files then count as completed (a second migrate does
// nothing; pull writes each file back).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/lifecycle.h"
#include "history/history.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

const std::pair<const char*, const char*> kFiles[] = {
    {"01_email", "operations:\n  - add_column:\n      table: users\n      up: name || '@example.com'\n"
                 "      column: {name: email, type: text, nullable: true}\n"},
    {"02_rename", "operations:\n  - rename_column: {table: users, from: name, to: full_name}\n"},
    {"03_score", "operations:\n  - add_column:\n      table: users\n      up: id * 10\n"
                 "      column: {name: score, type: int, nullable: true}\n"},
};

// A directory holding the three files; removed with the object.
struct Dir {
  fs::path path = fs::temp_directory_path() / ("pleat_together_" + std::to_string(::getpid()) + "_" +
                                               std::to_string(reinterpret_cast<uintptr_t>(this)));
  Dir() {
    fs::create_directories(path);
    for (const auto& [name, text] : kFiles) std::ofstream(path / (std::string(name) + ".yaml")) << text;
  }
  ~Dir() { fs::remove_all(path); }
};

std::string NewUsers() {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL); INSERT INTO users VALUES (1, 'ann')");
  return url;
}

TEST(MigrateTogether, StartsTheFilesAsOneWindow) {
  Dir dir;
  std::string url = NewUsers();
  pg::Connection conn = Connect(url);
  std::string before = DumpSchema(url, "public");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("public_03_score", vs);
  EXPECT_EQ("public_03_score", Value(&conn, "SELECT string_agg(nspname, ',') FROM pg_namespace "
                                            "WHERE nspname LIKE 'public_%'"));
  EXPECT_EQ("03_score|active|01_email,02_rename,03_score",
            Rows(&conn, "SELECT name, phase, "
                        "(SELECT string_agg(e->>'name', ',') FROM jsonb_array_elements(members) e) "
                        "FROM pleat.migrations"));
  nlohmann::json st;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).GetStatus(&st).ok());
  EXPECT_EQ(R"(["01_email","02_rename","03_score"])", st["active"]["files"].dump());
  // The old version (the plain table) and the new one both take writes.
  Exec(&conn, "INSERT INTO public.users (id, name) VALUES (2, 'bob')");
  Exec(&conn, "INSERT INTO " + vs + ".users (id, full_name, email, score) VALUES (3, 'cy', 'c@y', 7)");
  EXPECT_EQ("1|ann|ann@example.com|10\n2|bob|bob@example.com|20\n3|cy|c@y|7",
            Rows(&conn, "SELECT id, full_name, email, score FROM " + vs + ".users ORDER BY id"));
  EXPECT_EQ("1|ann\n2|bob\n3|cy", Rows(&conn, "SELECT id, name FROM public.users ORDER BY id"));

  s = engine::Lifecycle(OptionsFor(url)).Rollback();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url, "public"));
  EXPECT_EQ("", PleatLeftovers(&conn, "public"));
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.migrations"));

  s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = engine::Lifecycle(OptionsFor(url)).Complete();
  ASSERT_TRUE(s.ok()) << s.ToString();
  // The rollback dropped the new columns, so row 3 is backfilled afresh.
  EXPECT_EQ("1|ann|ann@example.com|10\n2|bob|bob@example.com|20\n3|cy|cy@example.com|30",
            Rows(&conn, "SELECT id, full_name, email, score FROM " + vs + ".users ORDER BY id"));

  // The same files one by one on a second database give the same schema.
  std::string one_by_one = NewUsers();
  std::string vs2;
  s = engine::Lifecycle(OptionsFor(one_by_one)).Migrate(dir.path.string(), true, false, &vs2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(vs, vs2);
  EXPECT_EQ(DumpSchema(one_by_one, "public"), DumpSchema(url, "public"));
  EXPECT_EQ(DumpSchema(one_by_one, vs), DumpSchema(url, vs));

  // Every file of the window is completed: a second migrate does nothing.
  std::string again;
  s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, false, &again);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("", again);
  s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &again);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ("", again);
  EXPECT_EQ("1|completed", Rows(&conn, "SELECT count(*), min(phase) FROM pleat.migrations"));

  // Pull gives back each file as it was.
  Dir pulled_dir;
  fs::remove_all(pulled_dir.path);
  std::vector<std::string> written, unchanged;
  s = history::Pull(OptionsFor(url), pulled_dir.path.string(), &written, &unchanged);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(3u, written.size());
  for (const auto& [name, text] : kFiles) {
    std::ifstream f(pulled_dir.path / (std::string(name) + ".yaml"));
    EXPECT_EQ(text, std::string(std::istreambuf_iterator<char>(f), {})) << name;
  }
}

// An active single migration is not folded into a window: refused by name.
TEST(MigrateTogether, RefusesWhileASingleMigrationIsActive) {
  Dir dir;
  std::string url = NewUsers();
  MigrationFile single("00_other", "operations:\n  - add_column:\n      table: users\n      up: \"0\"\n"
                                   "      column: {name: other, type: int, nullable: true}\n");
  std::string vs;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Start(single.path(), false, &vs).ok());
  Status s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("\"00_other\" is in progress")) << s.ToString();
}

// Raw SQL must run alone: a pending file with a `sql` operation is refused,
// naming it, before anything changes.
TEST(MigrateTogether, RefusesAFileWithRawSql) {
  Dir dir;
  std::ofstream(dir.path / "04_sql.yaml") << "operations:\n  - sql: {up: \"CREATE TABLE x (id int)\", "
                                             "down: \"DROP TABLE x\"}\n";
  std::string url = NewUsers();
  std::string before = DumpSchema(url, "public");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("04_sql.yaml has a \"sql\" operation")) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url, "public"));
}

// An error names the file and its own operation number, not the window's.
TEST(MigrateTogether, ErrorsNameTheFile) {
  Dir dir;
  std::ofstream(dir.path / "04_bad.yaml") << "operations:\n  - rename_column: {table: users, from: nope, to: x}\n";
  std::string url = NewUsers();
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("file 04_bad, operation 1 (rename_column)")) << s.ToString();
}

// A window whose start ran is bound to its files: an edited member is refused
// with a message about the window and how to start it again.
TEST(MigrateTogether, RefusesAnEditedWindowAfterItsStart) {
  Dir dir;
  std::string url = NewUsers();
  std::string vs;
  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs).ok());
  std::ofstream(dir.path / "03_score.yaml") << "operations:\n  - add_column:\n      table: users\n      up: id * 20\n"
                                               "      column: {name: score, type: int, nullable: true}\n";
  Status s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("the files of the window in " + dir.path.string() +
                                                 " differ from the files migration \"03_score\" was started with"))
      << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("then `pleat migrate " + dir.path.string() + " --together` again"))
      << s.ToString();
}

// The preflight's findings name the file and the operation's place in it.
TEST(MigrateTogether, PreflightFindingsNameTheFile) {
  Dir dir;
  std::ofstream(dir.path / "04_bad.yaml") << "operations:\n  - add_column:\n      table: users\n      up: nosuch(id)\n"
                                             "      column: {name: bad, type: int, nullable: true}\n";
  std::string url = NewUsers();
  std::string before = DumpSchema(url, "public");
  std::string vs;
  Status s = engine::Lifecycle(OptionsFor(url)).Migrate(dir.path.string(), false, true, &vs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("file 04_bad, operation 1 (add_column)")) << s.ToString();
  EXPECT_EQ(before, DumpSchema(url, "public"));
}

}  // namespace
}  // namespace pleat::testing
