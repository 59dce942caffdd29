// The stored plan of a migration is bound to the file it was planned from:
// `start` of an edited file plans it again when no step of the failed start
// ran (undoing what the failed step left), and otherwise refuses, changing
// nothing and saying to roll back first, instead of replaying the old plan.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

const char kSetup[] =
    "CREATE TABLE people (id int PRIMARY KEY, name text);"
    "INSERT INTO people VALUES (1, 'ann'), (2, 'ann'), (3, 'bo');";

const char kUniqueIndex[] =
    "operations:\n  - create_index:\n      name: people_name_key\n      table: people\n"
    "      unique: true\n      columns: [name]\n";
const char kPlainIndex[] =
    "operations:\n  - create_index:\n      name: people_name_idx\n      table: people\n      columns: [name]\n";
const char kAddShout[] =
    "operations:\n  - add_column:\n      table: people\n      up: upper(name)\n"
    "      column: {name: shout, type: text, nullable: true}\n";
const char kAddLoud[] =
    "operations:\n  - add_column:\n      table: people\n      up: upper(name)\n"
    "      column: {name: loud, type: text, nullable: true}\n";

Status Start(const std::string& url, const std::string& path, bool force = false,
             std::vector<std::string>* log = nullptr) {
  Options options = OptionsFor(url, log);
  options.preflight.force = force;  // to get past the preflight to a step that fails
  std::string version_schema;
  return engine::Lifecycle(options).Start(path, /*complete=*/false, &version_schema);
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  return all;
}

TEST(EditedFile, AfterAFailedFirstStepIsPlannedAgain) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kSetup);
  MigrationFile v1("02_index", kUniqueIndex);
  ASSERT_FALSE(Start(url, v1.path(), /*force=*/true).ok());  // duplicates: the build fails, leaving an invalid index
  EXPECT_EQ("0", Value(&conn, "SELECT count(*) FROM pleat.journal WHERE phase = 'start'"));

  MigrationFile v2("02_index", kPlainIndex);
  std::vector<std::string> log;
  Status s = Start(url, v2.path(), false, &log);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_NE(std::string::npos, Joined(log).find("planning it again")) << Joined(log);
  EXPECT_EQ("", Value(&conn, "SELECT 1 FROM pg_class WHERE relname = 'people_name_key'")) << "the old plan's index";
  EXPECT_EQ("t", Value(&conn, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'people_name_idx'::regclass"));
  EXPECT_EQ("active", Value(&conn, "SELECT phase FROM pleat.migrations WHERE name = '02_index'"));
  EXPECT_NE(std::string::npos,
            Value(&conn, "SELECT file_text FROM pleat.migrations WHERE name = '02_index'").find("people_name_idx"));
}

TEST(EditedFile, AfterStepsOfTheStartRanIsRefused) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kSetup);
  MigrationFile v1("02_two", std::string(kAddShout) + std::string(kUniqueIndex).substr(std::string("operations:\n").size()));
  ASSERT_FALSE(Start(url, v1.path(), /*force=*/true).ok());  // the column is added, then the index fails
  ASSERT_NE("0", Value(&conn, "SELECT count(*) FROM pleat.journal WHERE phase = 'start'"));
  std::string dump = DumpSchema(url, "public");

  MigrationFile v2("02_two", kAddShout);
  Status s = Start(url, v2.path());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.message().find("differs from the file migration \"02_two\" was started with"))
      << s.ToString();
  EXPECT_NE(std::string::npos, s.message().find("step(s) of its start ran")) << s.ToString();
  EXPECT_NE(std::string::npos, s.hint().find("pleat rollback")) << s.ToString();
  EXPECT_EQ(dump, DumpSchema(url, "public"));
  EXPECT_EQ("starting", Value(&conn, "SELECT phase FROM pleat.migrations WHERE name = '02_two'"));
}

TEST(EditedFile, OfTheActiveMigrationIsRefusedUntilRolledBack) {
  std::string url = NewOwnedDatabase();
  pg::Connection conn = Connect(url);
  Exec(&conn, kSetup);
  MigrationFile v1("02_add", kAddShout);
  ASSERT_TRUE(Start(url, v1.path()).ok());
  ASSERT_TRUE(Start(url, v1.path()).ok()) << "the same file again is a no-op";
  std::string dump = DumpSchema(url, "public");

  MigrationFile v2("02_add", kAddLoud);
  Status s = Start(url, v2.path());
  ASSERT_FALSE(s.ok()) << "an edit of the active migration must not pass silently";
  EXPECT_NE(std::string::npos, s.message().find("its start is done")) << s.ToString();
  EXPECT_NE(std::string::npos, s.hint().find("pleat rollback")) << s.ToString();
  EXPECT_EQ(dump, DumpSchema(url, "public"));

  ASSERT_TRUE(engine::Lifecycle(OptionsFor(url)).Rollback().ok());
  Status started = Start(url, v2.path());
  ASSERT_TRUE(started.ok()) << started.ToString();
  EXPECT_EQ("1", Value(&conn, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'people' "
                              "AND column_name = 'loud'"));
}

}  // namespace
}  // namespace pleat::testing
