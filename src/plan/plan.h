#ifndef PLEAT_PLAN_PLAN_H_
#define PLEAT_PLAN_PLAN_H_
// Plan: the ordered Steps of one phase (start, complete or rollback) of a
// migration. Operations add Steps; they never run SQL. The engine runs each
// Step under lock_timeout with retries and records it in the journal, so a
// re-run skips what is done. Every Step must be safe to run twice. Plans are
// stored as JSON in the state schema when a migration starts, so complete and
// rollback run exactly what start planned, even after a crash or a new binary.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pleat::plan {

struct Step {
  enum class Kind {
    kSql,         // run `sql` (in one transaction unless !transactional)
    kViews,       // (re)build a version schema's views from the live catalog; payload = view spec
    kBackfill,    // batched backfill; payload = backfill spec
  };
  Kind kind = Kind::kSql;
  std::string id;           // unique in its phase and stable across re-runs
  std::string description;  // what it does, for people: "add column \"users\".\"email\""
  std::vector<std::string> sql;
  // False for CREATE/DROP INDEX CONCURRENTLY: each statement then runs alone,
  // outside a transaction, and must be idempotent by itself.
  bool transactional = true;
  // Rollback steps: run only when the start step with this id was done.
  std::string only_if_started;
  nlohmann::json payload;
  // Start steps only: the planner moves it after the backfill (constraints that
  // rows not yet backfilled would fail, such as NOT NULL on a new column).
  // Planning-time only; the stored plan is already in order.
  bool after_backfill = false;
  // For an after_backfill step: what undoes it at rollback. The planner runs it
  // before the sync triggers go, since such constraints hold only while the
  // triggers fill the columns they check. Planning-time only.
  std::vector<std::string> undo_sql;
  // Complete steps: changes nothing a rollback does not undo (a VALIDATE of a
  // constraint pleat added); the planner runs it before the point of no return.
  // Planning-time only.
  bool before_no_return = false;
  // Complete: the first step a rollback cannot undo (the old version schema
  // goes). Until it is journaled `rollback` is allowed; just before it runs, the
  // rest of the phase is tried in one transaction that is rolled back (the dry run).
  bool no_return = false;
  // How the dry run treats this step: "" runs it; "skip" leaves it out (a
  // VALIDATE: it scans, and no later step needs it); "stop" ends the dry run
  // before it (raw SQL, whose effects later steps may need). Concurrent steps
  // cannot run in a transaction and are always left out.
  std::string dry_run;

  nlohmann::json ToJson() const;
  static Step FromJson(const nlohmann::json& j);
};

class Plan {
 public:
  // `id_prefix` keeps Step ids unique per operation: "03.add_column".
  void set_id_prefix(std::string prefix) { id_prefix_ = std::move(prefix); }
  // Adds a transactional SQL step; `name` completes the id ("03.add_column.column").
  void AddSql(const std::string& name, const std::string& description, std::vector<std::string> sql);
  // As AddSql, for a start step that must run after the backfill; `undo_sql`
  // removes what it adds at rollback (idempotent: IF EXISTS).
  void AddAfterBackfill(const std::string& name, const std::string& description, std::vector<std::string> sql,
                        std::vector<std::string> undo_sql);
  // Complete: as AddSql, for a step that only validates a constraint pleat
  // added (before_no_return; left out of the dry run).
  void AddValidate(const std::string& name, const std::string& description, std::vector<std::string> sql);
  // Adds a step whose statements each run alone (CONCURRENTLY).
  void AddConcurrent(const std::string& name, const std::string& description, std::vector<std::string> sql);
  void Add(Step step);
  // Rollback only: as AddSql, but skipped unless start step `started_id` ran.
  void AddUndo(const std::string& name, const std::string& description, std::vector<std::string> sql,
               const std::string& started_id);
  // All of this plan's steps as one step `name` that runs their statements in
  // order in one transaction (nothing in between is ever committed); this plan
  // unchanged when it is empty or one of its steps cannot run in a transaction.
  Plan Fused(const std::string& name, const std::string& description) const;
  // The full id a step added now under `name` gets.
  std::string IdFor(const std::string& name) const;

  const std::vector<Step>& steps() const { return steps_; }
  nlohmann::json ToJson() const;
  static Plan FromJson(const nlohmann::json& j);
  // The index of the complete plan's point of no return (Step::no_return). A
  // plan stored by a pleat without it has none: every step counts as past it (0).
  size_t NoReturnIndex() const;

 private:
  std::string id_prefix_;
  std::vector<Step> steps_;
};

}  // namespace pleat::plan

#endif  // PLEAT_PLAN_PLAN_H_
