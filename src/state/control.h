#ifndef PLEAT_STATE_CONTROL_H_
#define PLEAT_STATE_CONTROL_H_
// Control: live settings of the running `start` (or `migrate`) on a target
// schema, in <state schema>.control: one row per target schema, for the lease
// token of the command it was set for, so a row left by an earlier command is
// ignored (and replaced by the next change). `pleat pause`, `resume` and
// `tune` write it (ChangeControl) without taking the lease; the running
// backfill reads it before each batch (ReadControlFor) and records the
// settings it applied (AcknowledgeControl), which `status` shows (ReadControl).
// Free functions borrowing a connection; any thread, one connection each.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "options.h"
#include "pg/connection.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::state {

// What a control command changes; a field left empty stays as it was.
struct ControlChange {
  std::optional<bool> paused;
  std::optional<int> backfill_target_ms, max_replica_lag_ms, jobs;
};

// The row as the running backfill reads it; an empty field means "the
// command's own flag".
struct ControlRow {
  bool paused = false;
  std::optional<int> backfill_target_ms, max_replica_lag_ms, jobs;
  std::string changed_by;  // "host H pid P" of the pleat that changed it last
};

// `pleat pause|resume|tune`: connects with `options`, applies `change` to the
// row of the live lease holder and sets *out to the row (as ReadControl).
// Fails (kInvalid) when no `start` or `migrate` holds the lease, naming what
// does, if anything; changes nothing then.
Status ChangeControl(const Options& options, const ControlChange& change, nlohmann::json* out);

// The row for this process's lease (a default row when there is none, or no
// lease, or the state schema predates the table).
Status ReadControlFor(pg::Connection* conn, const StateStore& state, ControlRow* out);
// Records `applied` ({"paused", "backfill_target_ms", "max_replica_lag_ms",
// "jobs"}) as what this process's backfill uses now. No-op without a lease.
Status AcknowledgeControl(pg::Connection* conn, const StateStore& state, const nlohmann::json& applied);

// For `status`: {"paused", "paused_at", "backfill_target_ms", "max_replica_lag_ms",
// "jobs", "changed_at", "changed_by", "applied", "applied_at"} of the live lease
// holder, or null when it has no row (or no live holder).
Status ReadControl(pg::Connection* conn, const std::string& state_schema, const std::string& target_schema,
                   nlohmann::json* out);

}  // namespace pleat::state

#endif  // PLEAT_STATE_CONTROL_H_
