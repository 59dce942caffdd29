#include "engine/step_runner.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "backfill/backfill.h"
#include "pg/transaction.h"
#include "planner/view_spec.h"

namespace pleat::engine {
namespace {

int JitteredPauseMs(int attempt) {
  static std::mt19937 rng(std::random_device{}());
  int base = std::min(2000, 50 << std::min(attempt, 6));
  return std::uniform_int_distribution<int>(base / 2, base + base / 2)(rng);
}

std::string SetLocalLockTimeout(int ms) { return "SET LOCAL lock_timeout = " + std::to_string(ms); }

}  // namespace

StepRunner::StepRunner(pg::Connection* conn, state::StateStore* state, const Options& options, std::string migration)
    : conn_(conn), state_(state), options_(options), migration_(std::move(migration)) {}

Status StepRunner::Run(const std::string& phase, const plan::Plan& plan) {
  std::vector<std::string> done_list, started_list;
  Status s = state_->DoneSteps(migration_, phase, &done_list);
  if (s.ok() && phase == "rollback") s = state_->DoneSteps(migration_, "start", &started_list);
  if (!s.ok()) return s;
  std::set<std::string> done(done_list.begin(), done_list.end());
  std::set<std::string> started(started_list.begin(), started_list.end());
  for (size_t i = 0; i < plan.steps().size(); ++i) {
    const plan::Step& step = plan.steps()[i];
    if (done.count(step.id)) continue;
    if (!step.only_if_started.empty() && !started.count(step.only_if_started)) continue;
    options_.before_step(phase, step.id);
    if (s = state_->LeaseHeld(); !s.ok()) return s;
    if (step.no_return) {
      options_.log("trying the rest of " + phase + " in a transaction that is rolled back");
      if (s = DryRun(plan, i); !s.ok())
        return s.WithContext("the trial of the rest of " + phase + " (rolled back, nothing of it kept) failed");
    }
    options_.log(step.description);
    s = RunWithRetries(phase, step);
    if (!s.ok()) return s.WithContext(phase + " step \"" + step.description + "\"");
  }
  options_.before_step(phase, "");
  return Status::Ok();
}

Status StepRunner::RunWithRetries(const std::string& phase, const plan::Step& step) {
  return Retry([&] { return RunOnce(phase, step); });
}

Status StepRunner::DryRun(const plan::Plan& plan, size_t from) {
  return Retry([&] { return DryRunOnce(plan, from); });
}

// Every statement of the dry run runs in one transaction, so the locks of the
// whole phase are held together; its steps change only the catalog (the
// VALIDATEs that scan are left out), so that is brief. The rebuild of the new
// version's views is left out too: new-version writers lock a view before its
// table, so holding the tables while waiting for the views would deadlock
// with them (and a rebuild fails on nothing a user made: CASCADE).
Status StepRunner::DryRunOnce(const plan::Plan& plan, size_t from) {
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn_, &tx, "", SetLocalLockTimeout(options_.lock_timeout_ms));
  for (size_t i = from; s.ok() && i < plan.steps().size(); ++i) {
    const plan::Step& step = plan.steps()[i];
    if (step.dry_run == "stop") break;
    if (step.dry_run == "skip" || !step.transactional || step.kind != plan::Step::Kind::kSql) continue;
    for (const auto& statement : step.sql)
      if (s.ok()) s = conn_->Exec(statement);
    if (!s.ok()) s = s.WithContext("at step \"" + step.description + "\"");
  }
  Status rolled_back = tx.Rollback();
  return s.ok() ? rolled_back : s;
}

Status StepRunner::Retry(const std::function<Status()>& run) {
  for (int attempt = 1;; ++attempt) {
    Status s = run();
    if (!s.IsLockTimeout()) return s;
    if (attempt >= options_.max_lock_attempts)
      return s.WithHint("a long transaction holds a lock on the table; find it in pg_stat_activity, "
                        "then run the command again (or raise --lock-timeout)");
    int pause = JitteredPauseMs(attempt);
    options_.log("  waiting for a lock (lock_timeout " + std::to_string(options_.lock_timeout_ms) + " ms, attempt " +
                 std::to_string(attempt) + " of " + std::to_string(options_.max_lock_attempts) + ")" + Blockers() +
                 "; retrying in " + std::to_string(pause) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(pause));
  }
}

// The sessions that are inside a transaction right now, oldest first: the
// usual holders of the lock a DDL statement just gave up on.
std::string StepRunner::Blockers() {
  std::string list;
  Status s = conn_->QueryValue(
      "SELECT string_agg(format('pid %s (%s, %s s)', pid, left(coalesce(nullif(query, ''), state), 60),"
      " extract(epoch FROM now() - xact_start)::int), '; ') FROM (SELECT * FROM pg_stat_activity"
      " WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND datname = current_database()"
      " ORDER BY xact_start LIMIT 3) a",
      &list);
  return s.ok() && !list.empty() ? "; open transactions: " + list : "";
}

Status StepRunner::RunOnce(const std::string& phase, const plan::Step& step) {
  switch (step.kind) {
    case plan::Step::Kind::kSql:
      return step.transactional ? RunTransactional(phase, step, step.sql) : RunConcurrent(phase, step);
    case plan::Step::Kind::kViews: {
      std::vector<std::string> sql;
      Status s = planner::BuildViewsSql(conn_, planner::ViewSpec::FromJson(step.payload), &sql);
      return s.ok() ? RunTransactional(phase, step, sql) : s;
    }
    case plan::Step::Kind::kBackfill: {
      Status s = backfill::Run(conn_, *state_, options_, migration_, step.payload);
      return s.ok() ? conn_->Exec(state_->JournalInsertSql(migration_, phase, step.id)) : s;
    }
  }
  return Status::Ok();
}

Status StepRunner::RunTransactional(const std::string& phase, const plan::Step& step,
                                    const std::vector<std::string>& sql) {
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(conn_, &tx, "", SetLocalLockTimeout(options_.lock_timeout_ms));
  for (const auto& statement : sql)
    if (s.ok()) s = conn_->Exec(statement);
  if (s.ok()) s = conn_->Exec(state_->JournalInsertSql(migration_, phase, step.id));
  return tx.Finish(s);
}

// CONCURRENTLY statements wait for older transactions to finish; those waits
// block no application traffic, so they run without lock_timeout.
Status StepRunner::RunConcurrent(const std::string& phase, const plan::Step& step) {
  Status s = conn_->Exec("SET lock_timeout = 0");
  std::string invalid = step.payload.is_object() ? step.payload.value("invalid_index", "") : "";
  if (s.ok() && !invalid.empty()) {
    std::string is_invalid;
    s = conn_->QueryValue("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", &is_invalid,
                          {invalid});
    if (s.ok() && is_invalid == "t") {
      options_.log("  dropping the invalid index " + invalid + " a failed build left behind");
      s = conn_->Exec("DROP INDEX CONCURRENTLY IF EXISTS " + invalid);
    }
  }
  for (const auto& statement : step.sql)
    if (s.ok()) s = conn_->Exec(statement);
  Status reset = conn_->Exec("RESET lock_timeout");
  if (s.ok()) s = reset;
  return s.ok() ? conn_->Exec(state_->JournalInsertSql(migration_, phase, step.id)) : s;
}

}  // namespace pleat::engine
