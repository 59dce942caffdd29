#include "support/op_case.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/lifecycle.h"
#include "support/migration_file.h"
#include "support/test_db.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

std::string WriteFile(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

Status StartFile(const std::string& url, const std::string& path, bool complete, std::string* vs) {
  engine::Lifecycle lifecycle(OptionsFor(url));
  return lifecycle.Start(path, complete, vs);
}

}  // namespace

void CaseContext::Exec(const std::string& sql) { testing::Exec(conn, sql); }

void CaseContext::ExecAsSuperuser(const std::string& sql) {
  pg::Connection admin = Connect(UrlAs(url, "postgres"));
  testing::Exec(&admin, sql);
}

void CaseContext::ExecFails(const std::string& sql, const std::string& expected) {
  Status s = conn->Exec(sql);
  EXPECT_FALSE(s.ok()) << "expected an error containing \"" << expected << "\" from: " << sql;
  EXPECT_NE(s.message().find(expected), std::string::npos) << s.message() << "\nSQL: " << sql;
}

std::string CaseContext::Rows(const std::string& sql) { return testing::Rows(conn, sql); }
std::string CaseContext::Value(const std::string& sql) { return testing::Value(conn, sql); }

void RunOpCase(const OpCase& c) {
  SCOPED_TRACE("case: " + c.name);
  // As in production: pleat, the setup and the hooks run as the database's
  // owner, a role that is not a superuser.
  std::string url = NewOwnedDatabase();
  fs::path dir = fs::temp_directory_path() / ("pleat-case-" + std::to_string(getpid()) + "-" + c.name);
  fs::create_directories(dir);
  pg::Connection conn = Connect(url);
  CaseContext ctx{&conn, url, "public", ""};
  for (size_t i = 0; i < c.setup_migrations.size(); ++i) {
    std::string path = WriteFile(dir, "0" + std::to_string(i) + "_setup.yaml", c.setup_migrations[i]);
    Status s = StartFile(url, path, /*complete=*/true, &ctx.old_schema);
    ASSERT_TRUE(s.ok()) << "setup migration " << i << ": " << s.ToString();
  }
  if (!c.setup_sql.empty()) ctx.Exec(c.setup_sql);
  std::string before = DumpSchema(url, "public");
  std::string path = WriteFile(dir, "99_under_test.yaml", c.migration);
  Status s = StartFile(url, path, false, &ctx.new_schema);
  if (!c.start_error.empty()) {
    ASSERT_FALSE(s.ok()) << "start should have failed with: " << c.start_error;
    EXPECT_NE(s.ToString().find(c.start_error), std::string::npos) << s.ToString();
    EXPECT_EQ(before, DumpSchema(url, "public")) << "a failed start changed the schema";
    fs::remove_all(dir);
    return;
  }
  ASSERT_TRUE(s.ok()) << "start: " << s.ToString();
  if (c.after_start) c.after_start(ctx);
  s = engine::Lifecycle(OptionsFor(url)).Rollback();
  ASSERT_TRUE(s.ok()) << "rollback: " << s.ToString();
  EXPECT_EQ(before, DumpSchema(url, "public")) << "rollback left the schema changed";
  EXPECT_EQ("", PleatLeftovers(&conn, "public")) << "after rollback";
  EXPECT_EQ("0", ctx.Value("SELECT count(*) FROM pg_namespace WHERE nspname = '" + ctx.new_schema + "'"));
  if (c.after_rollback) c.after_rollback(ctx);
  s = StartFile(url, path, /*complete=*/!c.before_complete, &ctx.new_schema);
  if (s.ok() && c.before_complete) {
    c.before_complete(ctx);
    s = engine::Lifecycle(OptionsFor(url)).Complete();
  }
  ASSERT_TRUE(s.ok()) << "second start + complete: " << s.ToString();
  EXPECT_EQ("", PleatLeftovers(&conn, "public")) << "after complete";
  if (ctx.old_schema != "public") {
    EXPECT_EQ("0", ctx.Value("SELECT count(*) FROM pg_namespace WHERE nspname = '" + ctx.old_schema + "'"))
        << "complete must drop the old version schema";
  }
  if (c.after_complete) c.after_complete(ctx);
  fs::remove_all(dir);
}

}  // namespace pleat::testing
