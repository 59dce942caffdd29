#include "state/control.h"

#include <unistd.h>

#include "pg/quote.h"
#include "state/lease.h"
#include "state/session.h"

namespace pleat::state {
namespace {

constexpr const char* kColumns =
    "c.paused, c.paused_at::text, c.backfill_target_ms, c.max_replica_lag_ms, c.jobs, c.changed_at::text,"
    " c.changed_by, c.applied::text, c.applied_at::text";

std::optional<std::string> Param(const std::optional<int>& v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}

nlohmann::json RowJson(const pg::Result& res) {
  auto text = [&](int c) { return res.IsNull(0, c) ? nlohmann::json() : nlohmann::json(res.Get(0, c)); };
  auto number = [&](int c) { return res.IsNull(0, c) ? nlohmann::json() : nlohmann::json(std::stoll(res.Get(0, c))); };
  return {{"paused", res.Get(0, 0) == "t"}, {"paused_at", text(1)},
          {"backfill_target_ms", number(2)}, {"max_replica_lag_ms", number(3)},
          {"jobs", number(4)}, {"changed_at", text(5)},
          {"changed_by", text(6)}, {"applied", res.IsNull(0, 7) ? nlohmann::json() : nlohmann::json::parse(res.Get(0, 7))},
          {"applied_at", text(8)}};
}

Status ControlTableExists(pg::Connection* conn, const std::string& state_schema, bool* out) {
  std::string exists;
  Status s = conn->QueryValue("SELECT to_regclass($1) IS NOT NULL", &exists, {pg::QualifiedName(state_schema, "control")});
  *out = exists == "t";
  return s;
}

// Why nothing could be changed: no live holder, or one that runs no backfill.
Status NoBackfillRunning(pg::Connection* conn, const Options& options) {
  nlohmann::json holder;
  Status s = ReadLeaseHolder(conn, options.state_schema, options.schema, &holder);
  if (!s.ok()) return s;
  std::string what = holder.is_null() ? "no pleat command is running on schema \"" + options.schema + "\""
                                      : "`pleat " + holder["command"].get<std::string>() + "` is running on schema \"" +
                                            options.schema + "\", not a start";
  return Status::Invalid(what + "; nothing was changed",
                         "pause, resume and tune act on a running `pleat start` or `pleat migrate` (its backfill); "
                         "`pleat status` shows what runs");
}

}  // namespace

// One statement: the live holder's token, the row kept when it was set for
// that token (else a fresh one), and the change on top.
Status ChangeControl(const Options& options, const ControlChange& change, nlohmann::json* out) {
  pg::Connection conn;
  Status s = OpenSession(options, &conn);
  bool exists = false;
  if (s.ok()) s = ControlTableExists(&conn, options.state_schema, &exists);
  if (!s.ok()) return s;
  if (!exists) return NoBackfillRunning(&conn, options);
  std::string control = pg::QualifiedName(options.state_schema, "control");
  std::string sql =
      "WITH h AS (SELECT l.token FROM " + pg::QualifiedName(options.state_schema, "lease") +
      " l WHERE l.target_schema = $1 AND l.command IN ('start', 'migrate') AND " + LeaseLiveSql("l") +
      "), o AS (SELECT c.* FROM " + control + " c JOIN h USING (token) WHERE c.target_schema = $1),"
      " n AS (SELECT h.token, coalesce($2::boolean, o.paused, false) AS paused, o.paused AS was_paused,"
      " o.paused_at, o.backfill_target_ms, o.max_replica_lag_ms, o.jobs, o.applied, o.applied_at FROM h LEFT JOIN o ON true)"
      " INSERT INTO " + control + " AS c (target_schema, token, paused, paused_at, backfill_target_ms,"
      " max_replica_lag_ms, jobs, changed_at, changed_by, applied, applied_at)"
      " SELECT $1, n.token, n.paused, CASE WHEN n.paused THEN CASE WHEN n.was_paused THEN n.paused_at ELSE now() END END,"
      " coalesce($3::int, n.backfill_target_ms), coalesce($4::int, n.max_replica_lag_ms), coalesce($5::int, n.jobs),"
      " now(), $6, n.applied, n.applied_at FROM n"
      " ON CONFLICT (target_schema) DO UPDATE SET (token, paused, paused_at, backfill_target_ms, max_replica_lag_ms,"
      " jobs, changed_at, changed_by, applied, applied_at) = (EXCLUDED.token, EXCLUDED.paused, EXCLUDED.paused_at,"
      " EXCLUDED.backfill_target_ms, EXCLUDED.max_replica_lag_ms, EXCLUDED.jobs, EXCLUDED.changed_at,"
      " EXCLUDED.changed_by, EXCLUDED.applied, EXCLUDED.applied_at) RETURNING " + kColumns;
  std::optional<std::string> paused;
  if (change.paused) paused = *change.paused ? "true" : "false";
  pg::Result res;
  s = conn.ExecParams(sql, {options.schema, paused, Param(change.backfill_target_ms), Param(change.max_replica_lag_ms),
                           Param(change.jobs), "host " + HostName() + " pid " + std::to_string(getpid())},
                      &res);
  if (!s.ok()) return s.WithContext("changing the live settings in " + control);
  if (res.rows() == 0) return NoBackfillRunning(&conn, options);
  *out = RowJson(res);
  return Status::Ok();
}

Status ReadControlFor(pg::Connection* conn, const StateStore& state, ControlRow* out) {
  *out = ControlRow();
  if (state.lease_token().empty()) return Status::Ok();
  pg::Result res;
  Status s = conn->ExecParams("SELECT paused, backfill_target_ms, max_replica_lag_ms, jobs, coalesce(changed_by, '')"
                              " FROM " + state.Name("control") + " WHERE target_schema = $1 AND token = $2",
                              {state.target_schema(), state.lease_token()}, &res);
  if (!s.ok()) return s.WithContext("reading the live settings in " + state.Name("control"));
  if (res.rows() == 0) return s;
  auto number = [&](int c) { return res.IsNull(0, c) ? std::optional<int>() : std::optional<int>(std::stoi(res.Get(0, c))); };
  *out = {res.Get(0, 0) == "t", number(1), number(2), number(3), res.Get(0, 4)};
  return s;
}

// A row of an earlier holder is replaced by a fresh one for this token.
Status AcknowledgeControl(pg::Connection* conn, const StateStore& state, const nlohmann::json& applied) {
  if (state.lease_token().empty()) return Status::Ok();
  std::string control = state.Name("control");
  Status s = conn->ExecParams(
      "INSERT INTO " + control + " AS c (target_schema, token, applied, applied_at) VALUES ($1, $2, $3::jsonb, now())"
      " ON CONFLICT (target_schema) DO UPDATE SET token = EXCLUDED.token, applied = EXCLUDED.applied, applied_at = now(),"
      " paused = c.paused AND c.token = EXCLUDED.token,"
      " paused_at = CASE WHEN c.token = EXCLUDED.token THEN c.paused_at END,"
      " backfill_target_ms = CASE WHEN c.token = EXCLUDED.token THEN c.backfill_target_ms END,"
      " max_replica_lag_ms = CASE WHEN c.token = EXCLUDED.token THEN c.max_replica_lag_ms END,"
      " jobs = CASE WHEN c.token = EXCLUDED.token THEN c.jobs END,"
      " changed_at = CASE WHEN c.token = EXCLUDED.token THEN c.changed_at END,"
      " changed_by = CASE WHEN c.token = EXCLUDED.token THEN c.changed_by END",
      {state.target_schema(), state.lease_token(), applied.dump()});
  return s.WithContext("recording the applied live settings in " + control);
}

Status ReadControl(pg::Connection* conn, const std::string& state_schema, const std::string& target_schema,
                   nlohmann::json* out) {
  *out = nullptr;
  bool exists = false;
  Status s = ControlTableExists(conn, state_schema, &exists);
  if (!s.ok() || !exists) return s;
  pg::Result res;
  s = conn->ExecParams(std::string("SELECT ") + kColumns + " FROM " + pg::QualifiedName(state_schema, "control") +
                           " c JOIN " + pg::QualifiedName(state_schema, "lease") +
                           " l USING (target_schema, token) WHERE c.target_schema = $1 AND " + LeaseLiveSql("l"),
                       {target_schema}, &res);
  if (s.ok() && res.rows() > 0) *out = RowJson(res);
  return s;
}

}  // namespace pleat::state
