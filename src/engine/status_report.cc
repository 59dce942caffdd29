// Lifecycle::GetStatus: what `pleat status` reports, read without taking the lease:
// the active migration, its backfill progress, and which pleat runs now, if any.
#include "engine/lifecycle.h"

#include <algorithm>

#include "state/control.h"

namespace pleat::engine {
namespace {

// How many parts a table's backfill has (1 when not split) and how many are
// done. A state schema made by an older pleat has no backfill_parts until the
// next command that takes the lock; `status` does not, and counts 1 part.
Status PartsColumns(pg::Connection* conn, const state::StateStore& state, std::string* sql) {
  std::string exists;
  Status s = conn->QueryValue("SELECT to_regclass($1) IS NOT NULL", &exists, {state.Name("backfill_parts")});
  std::string parts = " FROM " + state.Name("backfill_parts") + " p WHERE (p.target_schema, p.migration,"
                      " p.table_name) = (b.target_schema, b.migration, b.table_name))";
  *sql = exists != "t" ? "1, b.done::int"
                       : "(SELECT greatest(count(*), 1)" + parts + ", (SELECT CASE WHEN count(*) = 0 THEN"
                         " b.done::int ELSE count(*) FILTER (WHERE p.done) END" + parts;
  return s;
}

// One row of the query below, as `status --json` shows it.
nlohmann::json BackfillEntry(const pg::Result& res, int r) {
  auto number_or_null = [&](int c) {
    return res.IsNull(r, c) ? nlohmann::json() : nlohmann::json(std::stoll(res.Get(r, c)));
  };
  auto text_or_null = [&](int c) { return res.IsNull(r, c) ? nlohmann::json() : nlohmann::json(res.Get(r, c)); };
  return {{"table", res.Get(r, 0)},
          {"rows_done", std::stoll(res.Get(r, 1))},
          {"rows_total", std::stoll(res.Get(r, 2))},
          {"done", res.Get(r, 3) == "t"},
          {"updated_at", res.Get(r, 4)},
          {"rows_per_second", std::stoll(res.Get(r, 5))},
          {"batches", std::stoll(res.Get(r, 6))},
          {"batch_rows", std::stoll(res.Get(r, 7))},
          {"eta_seconds", number_or_null(8)},
          {"throttled", text_or_null(9)},
          {"throttled_since", text_or_null(10)},
          {"parts", std::stoll(res.Get(r, 11))},
          {"parts_done", std::stoll(res.Get(r, 12))}};
}

Status BackfillProgress(pg::Connection* conn, const state::StateStore& state, const std::string& migration,
                        nlohmann::json* out) {
  pg::Result res;
  std::string parts;
  Status s = PartsColumns(conn, state, &parts);
  // The ETA is the rate of the last run applied to the rows left; none once
  // done, or while nothing measured a rate yet.
  if (s.ok())
    s = conn->ExecParams(
        "SELECT table_name, rows_done, rows_total, done, updated_at::text, round(rows_per_second), batches, batch_rows,"
        " CASE WHEN NOT done AND rows_per_second > 0 THEN round(greatest(rows_total - rows_done, 0) / rows_per_second)"
        " END, throttled, throttled_since::text, " + parts + " FROM " +
            state.Name("backfill") + " b WHERE target_schema = $1 AND migration = $2 ORDER BY 1",
        {state.target_schema(), migration}, &res);
  *out = nlohmann::json::array();
  for (int r = 0; s.ok() && r < res.rows(); ++r) out->push_back(BackfillEntry(res, r));
  return s;
}

// The plan a command in `phase` runs ("" in phase active: none runs).
std::string PlanOf(const std::string& phase) {
  if (phase == "starting") return "start";
  if (phase == "completing") return "complete";
  if (phase == "rolling_back") return "rollback";
  return "";
}

// The first step of the phase's plan not journaled as done (the one a running
// command works on, or an interrupted one stopped at), with the counts; null in
// phase active. Rollback skips the undo of start steps that never ran, as the
// step runner does.
Status CurrentStep(state::StateStore* state, const state::MigrationRecord& a, const std::vector<std::string>& started,
                   nlohmann::json* out) {
  *out = nullptr;
  std::string plan = PlanOf(a.phase);
  if (plan.empty()) return Status::Ok();
  std::vector<std::string> done;
  Status s = plan == "start" ? Status::Ok() : state->DoneSteps(a.name, plan, &done);
  if (plan == "start") done = started;
  auto has = [](const std::vector<std::string>& v, const std::string& id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  int total = 0, finished = 0;
  nlohmann::json next;
  for (const auto& step : a.plans.at(plan)) {
    std::string gate = step.value("only_if_started", "");
    if (plan == "rollback" && !gate.empty() && !has(started, gate)) continue;
    ++total;
    if (has(done, step.value("id", ""))) ++finished;
    else if (next.is_null()) next = {{"id", step.value("id", "")}, {"description", step.value("description", "")}};
  }
  *out = {{"phase", plan}, {"step", next}, {"steps_done", finished}, {"steps_total", total}};
  return s;
}

}  // namespace

Status Lifecycle::GetStatus(nlohmann::json* out) {
  Status s = Connect("");
  bool initialized = false;
  if (s.ok()) s = state_->IsInitialized(&initialized);
  if (!s.ok()) return s;
  *out = {{"schema", options_.schema}, {"initialized", initialized}, {"active", nullptr},
          {"latest_version_schema", nullptr}, {"completed", nlohmann::json::array()}, {"running", nullptr},
          {"control", nullptr}};
  if (!initialized) return Status::Ok();
  nlohmann::json running;
  s = state::ReadLeaseHolder(&conn_, options_.state_schema, options_.schema, &running);
  if (!s.ok()) return s;
  (*out)["running"] = running;
  nlohmann::json control;  // only a live holder has one
  if (!running.is_null()) s = state::ReadControl(&conn_, options_.state_schema, options_.schema, &control);
  if (!s.ok()) return s;
  (*out)["control"] = control;
  std::optional<state::MigrationRecord> active, last;
  std::vector<std::string> completed;
  s = state_->Active(&active);
  if (s.ok()) s = state_->LastCompleted(&last);
  if (s.ok()) s = state_->CompletedNames(&completed);
  if (!s.ok()) return s;
  (*out)["completed"] = completed;
  if (last) (*out)["latest_version_schema"] = last->version_schema;
  if (!active) return Status::Ok();
  (*out)["latest_version_schema"] = active->version_schema;
  std::vector<std::string> done;
  s = state_->DoneSteps(active->name, "start", &done);
  nlohmann::json backfill, current;
  if (s.ok()) s = BackfillProgress(&conn_, *state_, active->name, &backfill);
  if (s.ok()) s = CurrentStep(state_.get(), *active, done, &current);
  bool dropped = false;  // complete passed its point of no return
  if (s.ok() && active->phase == "completing") s = PassedNoReturn(*active, &dropped);
  (*out)["active"] = {{"name", active->name},
                      {"version_schema", active->version_schema},
                      {"previous_version_schema", active->parent_version_schema},
                      {"phase", active->phase},
                      {"started_at", active->started_at},
                      {"start_steps_done", done.size()},
                      {"start_steps_total", active->plans.at("start").size()},
                      {"backfill", backfill},
                      {"current_step", current},
                      {"old_version_dropped", dropped},
                      {"can_roll_back", !dropped && active->phase != "rolling_back"},
                      // A command stopped halfway: its phase is not active and no pleat holds the lease.
                      {"interrupted", active->phase != "active" && running.is_null()}};
  // A window (`migrate --together`): the names of its files, in order.
  (*out)["active"]["files"] = nlohmann::json::array();
  for (const auto& member : active->members) (*out)["active"]["files"].push_back(member.at("name"));
  return s;
}

}  // namespace pleat::engine
