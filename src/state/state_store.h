#ifndef PLEAT_STATE_STATE_STORE_H_
#define PLEAT_STATE_STATE_STORE_H_
// StateStore: pleat's own tables and helper functions in the state schema
// (default `pleat`): the migration history with each migration's stored plans,
// the journal of done steps, backfill checkpoints, and the marker functions that
// the version views and sync triggers call to tell which version wrote a row.
// Also holds the lease (lease.h) that keeps two pleat processes off one target
// schema, and the live control row of its running backfill (control.h). Borrows the connection; one thread (the lease's heartbeat has its own).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "state/lease.h"
#include "status.h"

namespace pleat::state {

// One row of the migration history.
struct MigrationRecord {
  std::string name;
  std::string version_schema;
  std::string parent_version_schema;  // the version schema that was newest when it started ("" for none)
  std::string phase;                  // starting, active, completing, completed, rolling_back
  std::string file_text;
  nlohmann::json plans;               // {"start", "complete", "rollback": [steps], "verify": see verifier.h}
  std::string started_at;
  // A window (`migrate --together`): its files in order, [{"name", "text"}];
  // empty for one file. Completed, each counts as completed (CompletedNames).
  nlohmann::json members = nlohmann::json::array();
};

class StateStore {
 public:
  StateStore(pg::Connection* conn, std::string state_schema, std::string target_schema);

  // Creates the state schema, tables and functions when missing. Idempotent.
  Status Init();
  // True when Init() has run in this database.
  Status IsInitialized(bool* out);
  // Takes the target schema's lease for `command` ("start", ...) or fails at
  // once naming the holder; the lease renews itself on `heartbeat` and is
  // released when the StateStore is destroyed.
  Status Lock(const std::string& command, pg::Connection heartbeat);
  // Ok while this process holds the lease (or never took it); kBusy once lost.
  Status LeaseHeld() const;
  // The token of this process's lease ("" when it took none).
  std::string lease_token() const { return lease_ ? lease_->token() : ""; }

  // The migration that is started but not completed, if any.
  Status Active(std::optional<MigrationRecord>* out);
  // The newest completed migration, if any.
  Status LastCompleted(std::optional<MigrationRecord>* out);
  // True when `name` completed, alone or as a member of a window.
  Status IsCompleted(const std::string& name, bool* out);
  Status Insert(const MigrationRecord& record);
  Status SetPhase(const std::string& name, const std::string& phase);
  // Forgets a rolled-back migration: its row, journal and checkpoints.
  Status Forget(const std::string& name);
  // The completed migrations' names, oldest first; a window gives its members' names.
  Status CompletedNames(std::vector<std::string>* out);
  // Every migration of the history, oldest first.
  Status History(std::vector<MigrationRecord>* out);

  // SQL that records a done step; runs inside the step's own transaction. With
  // the lease taken it first checks the lease is still this process's, so a
  // pleat that lost it to another cannot record (nor commit) a step.
  std::string JournalInsertSql(const std::string& migration, const std::string& phase,
                               const std::string& step_id) const;
  Status DoneSteps(const std::string& migration, const std::string& phase, std::vector<std::string>* out);

  const std::string& state_schema() const { return state_schema_; }
  const std::string& target_schema() const { return target_schema_; }
  // Qualified name of a state table or function: "pleat"."journal".
  std::string Name(const std::string& object) const;

 private:
  Status ReadOne(const std::string& where_sql, const std::vector<std::optional<std::string>>& params,
                 std::optional<MigrationRecord>* out);
  Status ReadAll(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                 std::vector<MigrationRecord>* out);
  pg::Connection* conn_;
  std::string state_schema_;
  std::string target_schema_;
  std::unique_ptr<Lease> lease_;
};

}  // namespace pleat::state

#endif  // PLEAT_STATE_STATE_STORE_H_
