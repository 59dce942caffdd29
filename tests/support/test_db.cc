#include "support/test_db.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

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

namespace {

std::string NextDatabaseName() {
  static int counter = 0;
  return "t" + std::to_string(++counter);
}

// The database and user of a URL of this server (postgresql://USER@/DB?host=...).
void NamesOf(const std::string& url, std::string* db, std::string* user) {
  size_t at = url.find("@/"), query = url.find('?');
  EXPECT_TRUE(url.rfind("postgresql://", 0) == 0 && at != std::string::npos && query > at) << url;
  *user = url.substr(13, at - 13);
  *db = url.substr(at + 2, query - at - 2);
}

// A new database, CREATE DATABASE with `options`, and its name.
std::string CreateDatabase(const std::string& options) {
  std::string name = NextDatabaseName();
  pg::Connection admin = Connect(Server()->Url("postgres"));
  Exec(&admin, "DROP DATABASE IF EXISTS " + name);
  Exec(&admin, "CREATE DATABASE " + name + options);
  return name;
}

}  // namespace

std::string NewDatabase() { return Server()->Url(CreateDatabase("")); }

std::string CopyDatabase(const std::string& url) {
  std::string from, user;
  NamesOf(url, &from, &user);
  std::string name = NextDatabaseName();
  pg::Connection admin = Connect(Server()->Url("postgres"));
  // A backend whose client has gone may still be exiting; CREATE DATABASE would
  // then wait 100 ms per retry.
  for (int i = 0; i < 5000 && Value(&admin, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + from + "'") != "0";
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Exec(&admin, "DROP DATABASE IF EXISTS " + name);
  Exec(&admin, "CREATE DATABASE " + name + " TEMPLATE " + from + " OWNER " +
                   Value(&admin, "SELECT quote_ident(pg_get_userbyid(datdba)) FROM pg_database WHERE datname = '" + from + "'"));
  return UrlAs(Server()->Url(name), user);
}

void DropDatabase(const std::string& url) {
  std::string db, user;
  NamesOf(url, &db, &user);
  pg::Connection admin = Connect(Server()->Url("postgres"));
  Exec(&admin, "DROP DATABASE " + db + " WITH (FORCE)");
}

void EnsureRole(const std::string& name, const std::string& attributes) {
  pg::Connection admin = Connect(Server()->Url("postgres"));
  Exec(&admin, "DO $$ BEGIN CREATE ROLE \"" + name + "\" " + attributes +
                   "; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
}

std::string UrlAs(const std::string& url, const std::string& role) {
  std::string scheme = "postgresql://";
  size_t at = url.find('@');
  EXPECT_TRUE(url.rfind(scheme, 0) == 0 && at != std::string::npos) << url;
  return scheme + role + url.substr(at);
}

std::string NewOwnedDatabase(const std::string& owner) {
  static std::set<std::string> made;  // roles live as long as this binary's server
  if (made.insert(owner).second) EnsureRole(owner, "LOGIN");
  return UrlAs(Server()->Url(CreateDatabase(" OWNER \"" + owner + "\"")), owner);
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

namespace {

// The schema as catalog lines, sorted: what pg_dump --schema-only would show
// (relations, columns, constraints, indexes, triggers, functions, views,
// policies, types, sequences, owners, ACLs and comments), for servers whose
// version pg_dump does not match (PGTMP_BIN): two dumps of one server compare
// equal exactly when the schema is the same.
std::string CatalogFingerprint(const std::string& url, const std::string& schema) {
  pg::Connection conn = Connect(url);
  pg::Result res;
  Status s = conn.ExecParams(R"sql(
    WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
    rel AS (SELECT c.* FROM pg_class c, ns WHERE c.relnamespace = ns.oid)
    SELECT coalesce(string_agg(line, E'\n' ORDER BY line), '') FROM (
      SELECT 'schema ' || pg_get_userbyid(n.nspowner) || ' ' || coalesce(n.nspacl::text, '') ||
             coalesce(' comment=' || obj_description(n.oid, 'pg_namespace'), '') AS line
        FROM pg_namespace n, ns WHERE n.oid = ns.oid
      UNION ALL SELECT 'rel ' || relname || ' ' || relkind::text || ' ' || pg_get_userbyid(relowner) || ' ' ||
             coalesce(relacl::text, '') || ' ' || coalesce(array_to_string(reloptions, ','), '') || ' rls=' ||
             relrowsecurity || relforcerowsecurity || ' ri=' || relreplident::text || ' persist=' || relpersistence::text ||
             coalesce(' comment=' || obj_description(oid, 'pg_class'), '') ||
             coalesce(' partition=' || pg_get_expr(relpartbound, oid), '')
        FROM rel
      -- A column's place among the live columns, as pg_dump shows it (not attnum,
      -- which keeps the gaps that dropped columns leave).
      UNION ALL SELECT 'col ' || c.relname || ' ' ||
             (SELECT count(*) FROM pg_attribute p WHERE p.attrelid = a.attrelid AND p.attnum > 0 AND
                     NOT p.attisdropped AND p.attnum <= a.attnum) || ' ' || a.attname || ' ' ||
             format_type(a.atttypid, a.atttypmod) || ' nn=' || a.attnotnull || ' id=' || a.attidentity::text ||
             ' gen=' || a.attgenerated::text || ' coll=' || a.attcollation || ' stat=' || a.attstattarget::text ||
             coalesce(' def=' || pg_get_expr(d.adbin, d.adrelid), '') || coalesce(' acl=' || a.attacl::text, '') ||
             coalesce(' comment=' || col_description(c.oid, a.attnum), '')
        FROM pg_attribute a JOIN rel c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped
      UNION ALL SELECT 'con ' || c.relname || ' ' || k.conname || ' ' || k.contype::text || ' ' ||
             coalesce(pg_get_constraintdef(k.oid), '') || ' valid=' || k.convalidated ||
             coalesce(' comment=' || obj_description(k.oid, 'pg_constraint'), '')
        FROM pg_constraint k JOIN rel c ON c.oid = k.conrelid
      UNION ALL SELECT 'idx ' || pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid ||
             ' clustered=' || i.indisclustered || ' ri=' || i.indisreplident
        FROM pg_index i JOIN rel c ON c.oid = i.indrelid
      UNION ALL SELECT 'trg ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
        FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
      UNION ALL SELECT 'fn ' || p.oid::regprocedure::text || ' ' || pg_get_userbyid(p.proowner) || ' ' ||
             md5(pg_get_functiondef(p.oid)) || coalesce(' acl=' || p.proacl::text, '')
        FROM pg_proc p, ns WHERE p.pronamespace = ns.oid AND p.prokind IN ('f', 'p')
      UNION ALL SELECT 'view ' || relname || ' ' || pg_get_viewdef(oid) FROM rel WHERE relkind IN ('v', 'm')
      UNION ALL SELECT 'pol ' || c.relname || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || p.polpermissive ||
             ' ' || p.polroles::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' ||
             coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
        FROM pg_policy p JOIN rel c ON c.oid = p.polrelid
      UNION ALL SELECT 'seq ' || c.relname || ' ' || format_type(q.seqtypid, NULL) || ' ' || q.seqstart || ' ' ||
             q.seqincrement || ' ' || q.seqmin || ' ' || q.seqmax || ' ' || q.seqcache || ' ' || q.seqcycle ||
             coalesce(' owned=' || (SELECT d.refobjid::regclass || '.' || d.refobjsubid FROM pg_depend d
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
               AND d.refclassid = 'pg_class'::regclass LIMIT 1), '')
        FROM pg_sequence q JOIN rel c ON c.oid = q.seqrelid
      UNION ALL SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' ' || pg_get_userbyid(t.typowner) ||
             coalesce(' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
               WHERE e.enumtypid = t.oid), '')
        FROM pg_type t, ns WHERE t.typnamespace = ns.oid AND t.typtype IN ('e', 'd', 'c', 'r')
        AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c')
    ) lines)sql",
                             {schema}, &res);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok() && res.rows() ? res.Get(0, 0) + "\n" : "no fingerprint: " + s.ToString();
}

}  // namespace

std::string DumpSchema(const std::string& url, const std::string& schema) {
  std::string bin;
  for (const char* dir : {"/usr/lib/postgresql/17/bin/", "/usr/lib/postgresql/16/bin/", "/usr/lib/postgresql/15/bin/"})
    if (std::system(("test -x " + std::string(dir) + "pg_dump").c_str()) == 0) {
      bin = dir;
      break;
    }
  std::string dump = RunCommand(bin + "pg_dump '" + url + "' --schema-only -n '" + schema + "' 2>&1");
  // pg_dump refuses a server newer than itself: compare the catalog instead.
  if (dump.find("server version mismatch") != std::string::npos) return CatalogFingerprint(url, schema);
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
                     "  WHERE s.nspname = " + q + " AND c.relname LIKE '%\\_pleat%'"
                     " UNION ALL SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                     "  JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = " + q +
                     "  AND a.attnum > 0 AND NOT a.attisdropped AND a.attname LIKE '%\\_pleat%'"
                     " UNION ALL SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                     "  JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = " + q + " AND NOT t.tgisinternal"
                     "  AND (t.tgname LIKE '%\\_pleat%' OR pg_get_triggerdef(t.oid) LIKE '%pleat.backfill%')"
                     " UNION ALL SELECT con.conname FROM pg_constraint con JOIN pg_namespace s ON s.oid = con.connamespace"
                     "  WHERE s.nspname = " + q + " AND con.conname LIKE '%\\_pleat%'"
                     " UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace"
                     "  WHERE s.nspname = " + q + " AND p.proname LIKE '%\\_pleat%'"
                     " UNION ALL SELECT d.adnum::text FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid"
                     "  JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = " + q +
                     "  AND pg_get_expr(d.adbin, d.adrelid) LIKE '%writer_default%') x");
}

}  // namespace pleat::testing
