#include "support/test_db.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "pg/throwaway_server.h"

namespace pleat::testing {
namespace {

pg::ThrowawayServer* Server() {
  static std::unique_ptr<pg::ThrowawayServer> server;
  static std::once_flag once;
  std::call_once(once, [] {
    server = std::make_unique<pg::ThrowawayServer>();
    Status s = server->Start();
    if (!s.ok()) {
      fprintf(stderr, "cannot start a throwaway PostgreSQL: %s\n", s.ToString().c_str());
      std::abort();
    }
    // Stop it when the test binary exits, whatever the outcome.
    std::atexit([] { server.reset(); });
  });
  return server.get();
}

std::string RunCommand(const std::string& cmd) {
  std::string out;
  std::array<char, 4096> buf;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

}  // namespace

std::string ServerHandle::Url(const std::string& dbname) { return Server()->Url(dbname); }
bool ServerHandle::Restart() { return Server()->Restart().ok(); }

std::string NewDatabase() {
  static int counter = 0;
  std::string name = "t" + std::to_string(++counter);
  pg::Connection admin = Connect(Server()->Url("postgres"));
  Exec(&admin, "DROP DATABASE IF EXISTS " + name);
  Exec(&admin, "CREATE DATABASE " + name);
  return Server()->Url(name);
}

pg::Connection Connect(const std::string& url) {
  pg::Connection conn;
  Status s = pg::Connection::Open(url, &conn);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return conn;
}

void Exec(pg::Connection* conn, const std::string& sql) {
  Status s = conn->Exec(sql);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\nSQL: " << sql;
}

std::string Value(pg::Connection* conn, const std::string& sql) {
  std::string v;
  Status s = conn->QueryValue(sql, &v);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\nSQL: " << sql;
  return v;
}

std::string Rows(pg::Connection* conn, const std::string& sql) {
  pg::Result res;
  Status s = conn->Exec(sql, &res);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\nSQL: " << sql;
  std::string out;
  for (int r = 0; r < res.rows(); ++r) {
    if (r) out += "\n";
    for (int c = 0; c < res.columns(); ++c) out += (c ? "|" : "") + (res.IsNull(r, c) ? "NULL" : res.Get(r, c));
  }
  return out;
}

std::string DumpSchema(const std::string& url, const std::string& schema) {
  std::string bin;
  for (const char* dir : {"/usr/lib/postgresql/17/bin/", "/usr/lib/postgresql/16/bin/", "/usr/lib/postgresql/15/bin/"})
    if (std::system(("test -x " + std::string(dir) + "pg_dump").c_str()) == 0) {
      bin = dir;
      break;
    }
  std::string dump = RunCommand(bin + "pg_dump '" + url + "' --schema-only -n '" + schema + "' 2>&1");
  std::string out, line;
  for (char c : dump + "\n") {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (!line.empty() && line.rfind("--", 0) != 0 && line.rfind("\\restrict", 0) != 0 &&
        line.rfind("\\unrestrict", 0) != 0)
      out += line + "\n";
    line.clear();
  }
  return out;
}

std::string PleatLeftovers(pg::Connection* conn, const std::string& schema) {
  std::string q = "'" + schema + "'";
  return Value(conn, "SELECT coalesce(string_agg(n, ', '), '') FROM ("
                     " SELECT c.relname AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
                     "  WHERE s.nspname = " + q + " AND c.relname LIKE '\\_pleat%'"
                     " UNION ALL SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                     "  JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = " + q +
                     "  AND a.attnum > 0 AND NOT a.attisdropped AND a.attname LIKE '\\_pleat%'"
                     " UNION ALL SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                     "  JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = " + q + " AND NOT t.tgisinternal"
                     "  AND (t.tgname LIKE '\\_pleat%' OR t.tgname LIKE '~\\_pleat%' OR pg_get_triggerdef(t.oid) LIKE '%pleat.backfill%')"
                     " UNION ALL SELECT con.conname FROM pg_constraint con JOIN pg_namespace s ON s.oid = con.connamespace"
                     "  WHERE s.nspname = " + q + " AND con.conname LIKE '\\_pleat%'"
                     " UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace"
                     "  WHERE s.nspname = " + q + " AND p.proname LIKE '\\_pleat%'"
                     " UNION ALL SELECT d.adnum::text FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid"
                     "  JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = " + q +
                     "  AND pg_get_expr(d.adbin, d.adrelid) LIKE '%writer_default%') x");
}

}  // namespace pleat::testing
