#include "planner/planner.h"

#include <set>
#include <utility>

#include <fmt/format.h>

#include "migration/window.h"
#include "ops/shadow_column.h"
#include "ops/type_change.h"
#include "pg/quote.h"
#include "planner/catalog_names.h"
#include "planner/move_sync.h"
#include "planner/sync_planner.h"
#include "planner/truncated_names.h"
#include "planner/user_objects.h"
#include "planner/view_spec.h"
#include "schema/catalog.h"

namespace pleat::planner {
namespace {

// In a window (migration/window.h) an operation is counted in its own file,
// and its step ids start with the file's name, so they stay unique.
std::string OpPrefix(const migration::Migration& m, size_t index) {
  const ops::Operation& op = *m.operations[index];
  const migration::Member* member = migration::MemberOf(m, index);
  if (!member) return fmt::format("{:02}.{}", index + 1, op.Key());
  return fmt::format("{}/{:02}.{}", member->name, index - member->first_operation + 1, op.Key());
}


plan::Step ViewsStep(const std::string& id, const std::string& description, const ViewSpec& spec) {
  plan::Step step;
  step.kind = plan::Step::Kind::kViews;
  step.id = id;
  step.description = description;
  step.payload = spec.ToJson();
  return step;
}

void Append(plan::Plan* to, const plan::Plan& from) {
  for (const auto& s : from.steps()) to->Add(s);
}

// Each operation sees the schema as the operations before it left it. Only two
// schemas live at a time, a copy costs O(1) and shares what the operation does
// not change, and the visitor finds the tables it changed in
// after.ChangedTables(), so the cost follows the size of the file, not its square.
Status ValidateEach(const migration::Migration& m, schema::VirtualSchema* after, const OperationVisitor& visit) {
  for (size_t i = 0; i < m.operations.size(); ++i) {
    after->ClearChanges();
    schema::VirtualSchema before = *after;
    Status s = m.operations[i]->Validate(after);
    if (!s.ok()) return s.WithContext(migration::OperationWhere(m, i));
    if (visit) s = visit(i, before, *after);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// The steps of the operations themselves, planned one at a time as they validate.
struct OpPlans {
  plan::Plan start, complete, renames;  // renames: after all other complete steps (Operation::RenamesOnComplete)
  std::vector<plan::Plan> rollbacks;    // by operation; run in reverse order

  Status Add(const migration::Migration& m, size_t i, const schema::VirtualSchema& before) {
    const ops::Operation& op = *m.operations[i];
    plan::Plan* done = op.RenamesOnComplete() ? &renames : &complete;
    start.set_id_prefix(OpPrefix(m, i));
    done->set_id_prefix(OpPrefix(m, i));
    rollbacks.emplace_back();
    rollbacks.back().set_id_prefix(OpPrefix(m, i));
    Status s = op.Start(before, &start);
    if (s.ok()) s = op.Complete(before, done);
    if (s.ok()) s = op.Rollback(before, &rollbacks.back());
    return s.WithContext(migration::OperationWhere(m, i));
  }
};

// The journal records steps by id: a second step with the id of one that ran
// would be skipped as done. Two operations of a file that plan the same object
// make such a pair; refused here, before anything runs.
Status UniqueStepIds(const std::string& phase, const plan::Plan& plan) {
  std::set<std::string> seen;
  for (const auto& step : plan.steps())
    if (!seen.insert(step.id).second)
      return Status::Invalid("the " + phase + " plan has two steps \"" + step.id + "\" (" + step.description +
                                 "): operations of this file change the same object twice",
                             "split the operations that touch it into two migrations");
  return Status::Ok();
}

}  // namespace

std::string VersionSchemaName(const std::string& schema, const std::string& suffix) {
  return pg::FitIdentifier(schema + "_" + suffix);
}

Status ValidateMigration(pg::Connection* conn, const Options& options, const migration::Migration& m,
                         const OperationVisitor& visit, schema::VirtualSchema* catalog, schema::VirtualSchema* after) {
  Status s = schema::ReadCatalog(conn, options.schema, catalog);
  if (!s.ok()) return s;
  *after = *catalog;
  ops::CatalogUses uses;
  auto collect = [&](size_t i, const schema::VirtualSchema& before, const schema::VirtualSchema& now) {
    size_t indexes = uses.indexes.size(), foreign_keys = uses.foreign_keys.size();
    m.operations[i]->AddCatalogUses(now, &uses);
    for (size_t k = indexes; k < uses.indexes.size(); ++k) uses.indexes[k].operation = i;
    for (size_t k = foreign_keys; k < uses.foreign_keys.size(); ++k) uses.foreign_keys[k].operation = i;
    return visit ? visit(i, before, now) : Status::Ok();
  };
  s = ValidateEach(m, after, collect);
  if (s.ok()) s = CheckTruncatedNames(m, *catalog, *after);
  return s.ok() ? CheckCatalogNames(conn, m, *catalog, *after, uses) : s;
}

Status PlanMigration(pg::Connection* conn, const Options& options, const migration::Migration& m,
                     const std::string& parent_version_schema, PlannedMigration* out) {
  schema::VirtualSchema before, after;
  OpPlans ops;
  auto plan_op = [&](size_t i, const schema::VirtualSchema& b, const schema::VirtualSchema&) {
    return ops.Add(m, i, b);
  };
  Status s = ValidateMigration(conn, options, m, plan_op, &before, &after);
  if (s.ok()) s = RefuseUserObjects(conn, options.state_schema, before, after);  // before any DDL, in check and in start
  // Shadow columns first: later operations' steps may use them.
  plan::Plan start, complete, rollback, shadow_validate, shadow_swap, shadow_complete, shadow_rollback;
  if (s.ok())
    s = ops::PlanShadows(before, after, &start, &shadow_validate, &shadow_swap, &shadow_complete, &shadow_rollback);
  if (!s.ok()) return s;
  Append(&start, ops.start);
  Append(&complete, ops.complete);
  Append(&complete, ops.renames);
  for (size_t i = ops.rollbacks.size(); i-- > 0;) Append(&rollback, ops.rollbacks[i]);
  out->version_schema = VersionSchemaName(options.schema, m.version_suffix);
  ViewSpec views = ViewSpec::FromSchema(after, out->version_schema, options.state_schema, /*mark=*/true);
  SyncPlans sync;
  SearchPathCheck path;
  s = SearchPathCheck::Load(conn, &path);
  if (s.ok()) s = PlanSync(before, after, options.state_schema, path, &views, &sync);
  if (!s.ok()) return s;
  PlanMoves(after, options.state_schema, &views, &sync);
  Append(&start, sync.start);
  plan::Plan ordered, after_backfill, undo_after_backfill;
  for (const auto& step : start.steps()) (step.after_backfill ? after_backfill : ordered).Add(step);
  for (const auto& step : after_backfill.steps())
    undo_after_backfill.AddUndo(step.id + ".undo", "undo: " + step.description, step.undo_sql, step.id);
  start = ordered;
  plan::Plan user_complete, user_rollback, views_drop, views_create;
  s = PlanUserTriggers(conn, options.schema, sync.backfill, &start, &user_complete, &user_rollback);
  std::string version_schemas;
  if (s.ok()) s = VersionSchemas(conn, options.state_schema, &version_schemas);
  std::vector<std::string> retype_sql = ops::InPlaceRetypeSql(before, after);
  if (s.ok()) s = PlanUserViews(conn, version_schemas, before, after, &start, &views_drop, &views_create,
                                &retype_sql);
  if (!s.ok()) return s;
  if (!sync.backfill.empty()) {
    plan::Step backfill;
    backfill.kind = plan::Step::Kind::kBackfill;
    backfill.id = "backfill";
    backfill.description = "backfill the new columns of existing rows";
    backfill.payload = sync.backfill;
    start.Add(backfill);
  }
  Append(&start, after_backfill);
  // The views come last: the new version becomes visible only once every row is backfilled.
  start.Add(ViewsStep("views", "create version schema \"" + out->version_schema + "\"", views));

  // Complete: first what a rollback still undoes (the user's triggers back to
  // their own definitions; validations, so a failed VALIDATE leaves a migration
  // that can be rolled back), then the point of no return, then the rest.
  plan::Plan final_complete, past_no_return;
  Append(&final_complete, user_complete);
  Append(&final_complete, shadow_validate);
  for (const auto& step : complete.steps()) (step.before_no_return ? final_complete : past_no_return).Add(step);
  plan::Step no_return;
  no_return.id = parent_version_schema.empty() ? "no_return" : "drop_old_version";
  no_return.description = parent_version_schema.empty()
                              ? "pass the point of no return (rollback is not possible from here)"
                              : "drop the old version schema \"" + parent_version_schema + "\"";
  if (!parent_version_schema.empty())
    no_return.sql = {"DROP SCHEMA IF EXISTS " + pg::QuoteIdent(parent_version_schema) + " CASCADE"};
  no_return.no_return = true;
  final_complete.Add(no_return);
  Append(&final_complete, shadow_swap);  // while the originals still exist
  // The user's views over replaced columns go, the columns are replaced, and
  // the views come back, in one transaction: no reader finds a view missing,
  // and a failure in between (a lock, a crash) leaves them as they were.
  plan::Plan replace;
  Append(&replace, views_drop);
  Append(&replace, sync.complete);  // drops the columns shadows replace
  Append(&replace, shadow_complete);
  Append(&replace, views_create);
  Append(&final_complete, views_drop.steps().empty()
                              ? replace
                              : replace.Fused("replace_columns", "replace the columns shadows stand in for, dropping and "
                                                                 "rebuilding the user's views over them"));
  Append(&final_complete, past_no_return);
  ViewSpec plain;
  plain.version_schema = out->version_schema;
  plain.target_schema = options.schema;
  plain.state_schema = options.state_schema;
  plain.column_order = ViewSpec::FinalColumnOrder(after);  // the physical order puts shadows last
  plain.alter_sql = retype_sql;  // the views depend on the columns they retype (the user's views too)
  final_complete.Add(ViewsStep("views", "rebuild version schema \"" + out->version_schema + "\" on the final tables", plain));

  plan::Plan final_rollback;
  final_rollback.AddSql("drop_version", "drop the new version schema \"" + out->version_schema + "\"",
                        {"DROP SCHEMA IF EXISTS " + pg::QuoteIdent(out->version_schema) + " CASCADE"});
  Append(&final_rollback, user_rollback);
  // Before the triggers go: once they do, old writers leave the new columns
  // empty, and a NOT NULL check on them would fail their writes.
  Append(&final_rollback, undo_after_backfill);
  Append(&final_rollback, sync.rollback);
  Append(&final_rollback, rollback);
  Append(&final_rollback, shadow_rollback);
  using PhasePlan = std::pair<const char*, const plan::Plan*>;
  for (const auto& [phase, plan] : {PhasePlan{"start", &start}, {"complete", &final_complete},
                                    {"rollback", &final_rollback}})
    if (Status u = UniqueStepIds(phase, *plan); !u.ok()) return u;
  out->plans = {{"start", start.ToJson()},
                {"complete", final_complete.ToJson()},
                {"rollback", final_rollback.ToJson()},
                {"verify", sync.verify}};
  return Status::Ok();
}

}  // namespace pleat::planner
