#include "check/preflight.h"

#include <set>

#include "check/requirements.h"
#include "check/rights.h"
#include "check/table_check.h"
#include "lint/lint.h"
#include "pg/transaction.h"
#include "planner/planner.h"

namespace pleat::check {
namespace {

Status CheckAll(pg::Connection* conn, const Options& options, const migration::Migration& m,
                std::vector<Finding>* out) {
  std::set<std::string> changed;
  std::vector<TableRequirements> requirements;
  schema::VirtualSchema catalog, after;
  auto visit = [&](size_t i, const schema::VirtualSchema& before, const schema::VirtualSchema& next) {
    NoteChangedTables(catalog, before, next, &changed);
    return DeriveRequirements(m, i, catalog, before, next, &requirements);
  };
  Status s = planner::ValidateMigration(conn, options, m, visit, &catalog, &after);
  size_t before = out->size();
  if (s.ok()) s = CheckRights(conn, options, catalog, changed, after, out);
  // Without the rights, reading the rows would fail or see too few of them.
  if (s.ok() && out->size() > before) return s;
  for (const auto& r : requirements) {
    if (!s.ok()) break;
    TableCheck check(conn, options, r);
    s = check.Run(out);
  }
  if (s.ok() && options.preflight.sample_rows > 0 && !requirements.empty()) {
    Finding f;
    f.severity = Severity::kWarning;
    f.rule = "sampled";
    f.message = "checked a sample of about " + std::to_string(options.preflight.sample_rows) +
                " rows per table (--sample): counts cover the sample only, and other rows may still fail";
    f.fix = "run `pleat check` without --sample for a complete answer";
    out->push_back(f);
  }
  return s;
}

}  // namespace

Status RunPreflight(pg::Connection* conn, const Options& options, const migration::Migration& m,
                    std::vector<Finding>* out) {
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn, &tx, "ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                    "SET LOCAL statement_timeout = " +
                                        std::to_string(options.preflight.statement_timeout_ms));
  if (!s.ok()) return s;
  s = CheckAll(conn, options, m, out);
  Status end = tx.Rollback();  // read only: nothing to keep
  return s.ok() ? end : s;  // a validation error reads as the planner's would
}

Status RunLint(pg::Connection* conn, const Options& options, const migration::Migration& m,
               std::vector<Finding>* out) {
  pg::Result res;
  Status s = conn->ExecParams(
      "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
      {options.schema}, &res);
  lint::LintContext context;
  for (int r = 0; s.ok() && r < res.rows(); ++r) context.table_rows[res.Get(r, 0)] = std::stoll(res.Get(r, 1));
  return s.ok() ? lint::Lint(m, context, out) : s;
}

bool HasErrors(const std::vector<Finding>& findings) {
  for (const auto& f : findings)
    if (f.severity == Severity::kError) return true;
  return false;
}

}  // namespace pleat::check
