#include "engine/verifier.h"

#include <map>

#include "backfill/table_walk.h"
#include "check/scan.h"
#include "pg/quote.h"
#include "pg/transaction.h"
#include "plan/plan.h"

namespace pleat::engine {
namespace {


// NOT VALID checks and foreign keys of the target schema, with what a probe needs.
constexpr const char* kPendingSql = R"(
SELECT cl.relname, c.conname, c.contype::text, coalesce(pg_get_expr(c.conbin, c.conrelid), ''),
       coalesce(c.confrelid::regclass::text, ''), c.confmatchtype::text,
       coalesce((SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n)::text, '[]'),
       coalesce((SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)::text, '[]')
FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
WHERE n.nspname = $1 AND NOT c.convalidated AND c.contype IN ('c', 'f') ORDER BY 1, 2)";

// A probe marks the rows with one problem; `finding` says what that problem is.
struct TableProbe {
  check::Probe probe;
  Finding finding;
};

Finding Make(Severity severity, const std::string& rule, const std::string& object, const std::string& message,
             const std::string& fix) {
  Finding f;
  f.severity = severity;
  f.rule = rule;
  f.object = object;
  f.message = message;
  f.fix = fix;
  return f;
}

std::string AllEqual(const nlohmann::json& assignments) {
  std::string out;
  for (const auto& a : assignments)
    out += (out.empty() ? "" : " AND ") + pg::QuoteIdent(a.at("column").get<std::string>()) +
           " IS NOT DISTINCT FROM (" + a.at("expression").get<std::string>() + ")";
  return out.empty() ? "false" : "(" + out + ")";
}

// Rows neither version could have written: new = up(old) fails and old = down(new) fails.
void AgreementProbes(const nlohmann::json& spec, std::map<std::string, std::vector<TableProbe>>* out) {
  for (const auto& t : spec) {
    std::string table = t.at("table");
    bool moved = t.contains("probe");  // a split: see planner/move_sync.cc
    std::string sql = moved ? t.at("probe").get<std::string>()
                            : "NOT (coalesce(" + AllEqual(t.at("ups")) + ", false) OR coalesce(" +
                                  AllEqual(t.at("downs")) + ", false))";
    (*out)[table].push_back({{"agree:" + std::to_string((*out)[table].size()), sql},
                             Make(Severity::kError, "rows-disagree", "table \"" + table + "\"",
                                  moved ? t.at("message").get<std::string>()
                                        : "where neither new = up(old) nor old = down(new) holds",
                                  "a write bypassed the sync triggers (session_replication_role = replica, or a "
                                  "trigger disabled); fix those rows, or roll back and start again")});
  }
}

std::string ForeignKeyProbe(const nlohmann::json& cols, const nlohmann::json& ref_cols, const std::string& ref,
                            bool match_full) {
  std::string all_set, join;
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string c = pg::QuoteIdent(cols[i].get<std::string>());
    all_set += std::string(i ? " AND " : "") + c + " IS NOT NULL";
    join += std::string(i ? " AND " : "") + "r." + pg::QuoteIdent(ref_cols[i].get<std::string>()) + " = v." + c;
  }
  std::string orphan = "(" + all_set + " AND NOT EXISTS (SELECT 1 FROM " + ref + " r WHERE " + join + "))";
  if (!match_full) return orphan;
  std::string any_set;
  for (size_t i = 0; i < cols.size(); ++i)
    any_set += std::string(i ? " OR " : "") + pg::QuoteIdent(cols[i].get<std::string>()) + " IS NOT NULL";
  return orphan + " OR ((" + any_set + ") AND NOT (" + all_set + "))";
}

Status PendingProbes(pg::Connection* conn, const state::StateStore& state, const std::string& complete_sql,
                     std::map<std::string, std::vector<TableProbe>>* out) {
  pg::Result res;
  Status s = conn->ExecParams(kPendingSql, {state.target_schema()}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) {
    std::string table = res.Get(r, 0), name = res.Get(r, 1);
    bool is_check = res.Get(r, 2) == "c";
    std::string sql = is_check ? "NOT (" + res.Get(r, 3) + ")"
                               : ForeignKeyProbe(nlohmann::json::parse(res.Get(r, 6)),
                                                 nlohmann::json::parse(res.Get(r, 7)), res.Get(r, 4), res.Get(r, 5) == "f");
    // Only what this migration's complete validates blocks it; other NOT VALID constraints are the user's.
    bool ours = complete_sql.find("VALIDATE CONSTRAINT " + pg::QuoteIdent(name)) != std::string::npos;
    (*out)[table].push_back(
        {{"constraint:" + name, sql},
         Make(ours ? Severity::kError : Severity::kWarning, is_check ? "check-violated" : "foreign-key-violated",
              "constraint \"" + name + "\" on \"" + table + "\"",
              std::string(ours ? "that `complete` would fail to validate: they break " : "that break ") +
                  (is_check ? "the check " + res.Get(r, 3) : "the foreign key to " + res.Get(r, 4)),
              "fix those rows (or the migration's `up`), then run `pleat verify` again")});
  }
  return s;
}

Status ScanTable(pg::Connection* conn, const state::StateStore& state, const Options& options, const std::string& table,
                 const std::vector<TableProbe>& probes, std::vector<Finding>* out) {
  check::ScanSpec spec;
  spec.schema = state.target_schema();
  spec.table = table;
  spec.image = "SELECT t.ctid AS \"_pleat_ctid\", t.* FROM " + pg::QualifiedName(spec.schema, table) + " t";
  spec.batch_rows = options.preflight.batch_rows;
  spec.log = options.log;
  for (const auto& p : probes) spec.probes.push_back(p.probe);
  check::ScanResult result;
  backfill::TableWalk walk;
  Status s = check::Scan(conn, spec, &result);
  if (s.ok()) s = backfill::TableWalk::Open(conn, spec.schema, table, &walk);
  if (!s.ok()) return s;
  // An expression that fails for every row (a `down` naming a column the
  // table lacks, as pgroll allows) or a timeout says nothing about the data:
  // a warning, so it does not block complete on its own.
  if (!result.unavailable.ok())
    out->push_back(Make(Severity::kWarning, "verify-incomplete", "table \"" + table + "\"",
                        "the rows could not be checked: " + result.unavailable.message(),
                        "fix the expression the message names, or check these rows yourself"));
  for (const auto& p : probes) {
    for (const auto* hits : {&result.marked[p.probe.id], &result.raised[p.probe.id]}) {
      if (hits->count == 0) continue;
      Finding f = p.finding;
      f.count = hits->count;
      f.message = std::to_string(f.count) + (f.count == 1 ? " row " : " rows ") + f.message;
      if (hits == &result.raised[p.probe.id]) f.message += " (the expressions raise for these rows)";
      for (const auto& ctid : hits->ctids) f.examples.push_back(check::KeyOfRow(conn, walk, ctid));
      out->push_back(f);
    }
  }
  return Status::Ok();
}

Status Unfinished(pg::Connection* conn, const state::StateStore& state, const state::MigrationRecord& record,
                  std::vector<Finding>* out) {
  pg::Result res;
  Status s = conn->ExecParams("SELECT table_name, rows_done FROM " + state.Name("backfill") +
                                  " WHERE target_schema = $1 AND migration = $2 AND NOT done ORDER BY 1",
                              {state.target_schema(), record.name}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r)
    out->push_back(Make(Severity::kError, "backfill-unfinished", "table \"" + res.Get(r, 0) + "\"",
                        "the backfill stopped after " + res.Get(r, 1) + " rows",
                        "run `pleat start` with the same file again to finish it"));
  if (s.ok()) s = conn->ExecParams(
      "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT i.indisvalid AND c.relname LIKE '\\_pleat\\_%' ORDER BY 1",
      {state.target_schema()}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r)
    out->push_back(Make(Severity::kError, "invalid-index", "index \"" + res.Get(r, 0) + "\"",
                        "a concurrent index build failed and left this index invalid",
                        "run `pleat start` with the same file again; it drops and rebuilds it"));
  return s;
}

Status VerifyInTransaction(pg::Connection* conn, const state::StateStore& state, const state::MigrationRecord& record,
                           const Options& options, std::vector<Finding>* out) {
  Status s = Unfinished(conn, state, record, out);
  std::map<std::string, std::vector<TableProbe>> probes;
  if (record.plans.contains("verify")) AgreementProbes(record.plans["verify"], &probes);
  std::string complete_sql;
  plan::Plan complete = plan::Plan::FromJson(record.plans.at("complete"));
  for (const auto& step : complete.steps())
    for (const auto& statement : step.sql) complete_sql += statement + "\n";
  if (s.ok()) s = PendingProbes(conn, state, complete_sql, &probes);
  for (const auto& [table, list] : probes)
    if (s.ok()) s = ScanTable(conn, state, options, table, list, out);
  return s;
}

}  // namespace

Status Verify(pg::Connection* conn, const state::StateStore& state, const state::MigrationRecord& record,
              const Options& options, std::vector<Finding>* out) {
  if (record.phase != "active") {
    out->push_back(Make(Severity::kError, "not-active", "migration \"" + record.name + "\"",
                        "the migration is " + record.phase + ", not active", "finish the interrupted command first"));
    return Status::Ok();
  }
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn, &tx, "ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (s.ok()) s = VerifyInTransaction(conn, state, record, options, out);
  return tx.Finish(s);
}

}  // namespace pleat::engine
