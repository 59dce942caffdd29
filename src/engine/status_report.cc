// Lifecycle::GetStatus: what `pleat status` reports, read without taking the lock.
#include "engine/lifecycle.h"

namespace pleat::engine {
namespace {

Status BackfillProgress(pg::Connection* conn, const StateStore& state, const std::string& migration,
                        nlohmann::json* out) {
  pg::Result res;
  // The ETA is the rate of the last run applied to the rows left; none once
  // done, or while nothing measured a rate yet.
  Status s = conn->ExecParams(
      "SELECT table_name, rows_done, rows_total, done, updated_at::text, round(rows_per_second), batches, batch_rows,"
      " CASE WHEN NOT done AND rows_per_second > 0 THEN round(greatest(rows_total - rows_done, 0) / rows_per_second)"
      " END, throttled, throttled_since::text FROM " +
          state.Name("backfill") + " WHERE target_schema = $1 AND migration = $2 ORDER BY 1",
      {state.target_schema(), migration}, &res);
  *out = nlohmann::json::array();
  auto number_or_null = [&](int r, int c) {
    return res.IsNull(r, c) ? nlohmann::json() : nlohmann::json(std::stoll(res.Get(r, c)));
  };
  auto text_or_null = [&](int r, int c) { return res.IsNull(r, c) ? nlohmann::json() : nlohmann::json(res.Get(r, c)); };
  for (int r = 0; s.ok() && r < res.rows(); ++r)
    out->push_back({{"table", res.Get(r, 0)},
                    {"rows_done", std::stoll(res.Get(r, 1))},
                    {"rows_total", std::stoll(res.Get(r, 2))},
                    {"done", res.Get(r, 3) == "t"},
                    {"updated_at", res.Get(r, 4)},
                    {"rows_per_second", std::stoll(res.Get(r, 5))},
                    {"batches", std::stoll(res.Get(r, 6))},
                    {"batch_rows", std::stoll(res.Get(r, 7))},
                    {"eta_seconds", number_or_null(r, 8)},
                    {"throttled", text_or_null(r, 9)},
                    {"throttled_since", text_or_null(r, 10)}});
  return s;
}

}  // namespace

Status Lifecycle::GetStatus(nlohmann::json* out) {
  Status s = Connect(false);
  bool initialized = false;
  if (s.ok()) s = state_->IsInitialized(&initialized);
  if (!s.ok()) return s;
  *out = {{"schema", options_.schema}, {"initialized", initialized}, {"active", nullptr},
          {"latest_version_schema", nullptr}, {"completed", nlohmann::json::array()}};
  if (!initialized) return Status::Ok();
  std::optional<MigrationRecord> active, last;
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
  nlohmann::json backfill;
  if (s.ok()) s = BackfillProgress(&conn_, *state_, active->name, &backfill);
  (*out)["active"] = {{"name", active->name},
                      {"version_schema", active->version_schema},
                      {"previous_version_schema", active->parent_version_schema},
                      {"phase", active->phase},
                      {"started_at", active->started_at},
                      {"start_steps_done", done.size()},
                      {"start_steps_total", active->plans.at("start").size()},
                      {"backfill", backfill}};
  return s;
}

}  // namespace pleat::engine
