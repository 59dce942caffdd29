#ifndef PLEAT_TESTS_SUPPORT_OP_CASE_H_
#define PLEAT_TESTS_SUPPORT_OP_CASE_H_
// OpCase: one table-driven case of an operation test, in pgroll's shape. The
// runner creates a fresh database, applies the setup migrations (started and
// completed) and setup SQL, then takes the migration under test through
//   start -> after_start -> rollback (pg_dump of the schema identical to before,
//   no _pleat object left) -> after_rollback -> start -> before_complete ->
//   complete -> after_complete (no _pleat object left).
// Hooks read and write through both versions with the CaseContext helpers.
// Everything runs as the database's owner, a role that is not a superuser
// (support/test_db.h NewOwnedDatabase), as pleat runs in production.

#include <functional>
#include <string>
#include <vector>

#include "pg/connection.h"

namespace pleat::testing {

struct CaseContext {
  pg::Connection* conn = nullptr;
  std::string url;
  std::string old_schema;  // the previous version schema ("public" when there is none)
  std::string new_schema;  // the version schema of the migration under test

  // Runs SQL, failing the test on error.
  void Exec(const std::string& sql);
  // Runs SQL as the superuser, for what the owner may not do (e.g. a write that
  // bypasses triggers with session_replication_role).
  void ExecAsSuperuser(const std::string& sql);
  // Runs SQL that must fail with a message containing `expected`.
  void ExecFails(const std::string& sql, const std::string& expected);
  // Rows as "a|b\nc|d".
  std::string Rows(const std::string& sql);
  std::string Value(const std::string& sql);
};

struct OpCase {
  std::string name;
  std::vector<std::string> setup_migrations;  // YAML texts, applied and completed in order
  std::string setup_sql;                      // run after the setup migrations
  std::string migration;                      // YAML text of the migration under test
  // Non-empty: start must fail with a message containing this; nothing may change.
  std::string start_error;
  std::function<void(CaseContext&)> after_start;
  std::function<void(CaseContext&)> after_rollback;
  std::function<void(CaseContext&)> before_complete;  // both versions served again
  std::function<void(CaseContext&)> after_complete;
};

// Runs one case; failures are reported through GoogleTest with the case's name.
void RunOpCase(const OpCase& c);

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_SUPPORT_OP_CASE_H_
