#ifndef PLEAT_TESTS_SUPPORT_TEST_DB_H_
#define PLEAT_TESTS_SUPPORT_TEST_DB_H_
// Test support: one throwaway PostgreSQL per test binary (started on first use,
// stopped at exit) and a fresh database per test, so tests never share state
// and no test needs a server that is already running.

#include <string>
#include <vector>

#include "pg/connection.h"

namespace pleat::testing {

// Creates a new, empty database and returns its URL. Fails the test on error.
std::string NewDatabase();
// A role of the server (roles are shared by every database): created with
// `attributes` (e.g. "LOGIN BYPASSRLS") unless it exists.
void EnsureRole(const std::string& name, const std::string& attributes);
// `url` with `role` as its user.
std::string UrlAs(const std::string& url, const std::string& role);
// A new database owned by `owner`, a LOGIN role that is not a superuser, and
// its URL as that role: pleat runs there as it does in production, as the
// owner of the schema, not as a superuser.
std::string NewOwnedDatabase(const std::string& owner = "pleat_owner");
// A new database made from the one `url` names as its template (schemas, rows,
// owners and grants; no database-level settings), and its URL as the same user:
// a state built once (migrations run, rows loaded) that many runs start from.
// Waits for the template's last sessions to end, as CREATE DATABASE needs.
std::string CopyDatabase(const std::string& url);
// Drops the database `url` names (ending its sessions), for tests that make many.
void DropDatabase(const std::string& url);
// The server, for crash tests that restart it.
class ServerHandle {
 public:
  static std::string Url(const std::string& dbname);
  static bool Restart();
};

// Connects to `url` or fails the test.
pg::Connection Connect(const std::string& url);
// Runs SQL or fails the test with the server's message.
void Exec(pg::Connection* conn, const std::string& sql);
// The first column of the first row as text ("" when no row).
std::string Value(pg::Connection* conn, const std::string& sql);
// Every row, columns joined by '|', rows joined by '\n'.
std::string Rows(pg::Connection* conn, const std::string& sql);
// pg_dump --schema-only of one schema, without comments and blank lines; on a
// server newer than pg_dump (PGTMP_BIN), a catalog fingerprint of the schema
// instead (equal exactly when the schema is).
std::string DumpSchema(const std::string& url, const std::string& schema);
// Names of objects whose name contains "_pleat" (relations, columns, triggers,
// functions, constraints; PostgreSQL 18 names NOT NULL constraints after their
// column) and user triggers still carrying pleat's backfill exemption, left in
// `schema`, comma-separated; "" when none.
std::string PleatLeftovers(pg::Connection* conn, const std::string& schema);

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_SUPPORT_TEST_DB_H_
