#ifndef PLEAT_ENGINE_LIFECYCLE_H_
#define PLEAT_ENGINE_LIFECYCLE_H_
// Lifecycle: the commands of pleat over one target schema: init, start,
// complete, rollback, status, latest and migrate. Each command connects, takes
// the schema's lease (lease.h; except status and latest, which only read) and
// runs the stored plan of the active migration through the journal, so a
// command killed at any point is finished by running it (or rollback) again.
// One Lifecycle per command invocation; not thread-safe.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "finding.h"
#include "migration/migration.h"
#include "options.h"
#include "pg/connection.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::engine {

class Lifecycle {
 public:
  explicit Lifecycle(Options options) : options_(std::move(options)) {}

  Status Init();
  // Starts migration file `path` (or resumes its interrupted start) and sets
  // *version_schema to the new version schema. With `complete`, completes it too.
  Status Start(const std::string& path, bool complete, std::string* version_schema);
  // `pleat check`: validates file `path`, runs the data-aware preflight and the
  // lint (appended to *findings) and plans the three phases (*plans, as
  // PlannedMigration::plans). Changes nothing: no lock, no state schema.
  Status Check(const std::string& path, std::vector<Finding>* findings, nlohmann::json* plans);
  // Refuses (kCheckFailed) while Verify() finds an error, unless options.force.
  Status Complete();
  // The active migration's verify findings (see verifier.h); none: complete may run.
  Status Verify(std::vector<Finding>* out);
  Status Rollback();
  // {"schema", "active": {...} or null, "latest_version_schema", "completed": [names],
  //  "running": the live lease holder (ReadLeaseHolder) or null}; see docs/cli.md.
  Status GetStatus(nlohmann::json* out);
  // The newest version schema ("" when no migration ever started).
  Status Latest(std::string* out);
  // Applies the files of `dir` not yet completed, in name order; completes all
  // but the last unless `complete`. With `together` (and more than one pending
  // file) starts them as one window instead (migration/window.h): one new
  // version schema, the last file's; `complete` and `rollback` act on all of them.
  Status Migrate(const std::string& dir, bool complete, bool together, std::string* version_schema);
  // The migration the last command worked on and its version schema (""
  // until one was loaded or found), for --on-success / --on-failure hooks.
  const std::string& migration() const { return migration_; }
  const std::string& version_schema() const { return version_schema_; }

 private:
  // `command` names the lease holder; "" reads only and takes no lease.
  Status Connect(const std::string& command);
  Status RunPhase(const state::MigrationRecord& record, const std::string& phase);
  Status StartLoaded(const std::string& path, std::string* version_schema);
  // Starts (or resumes the start of) `m`, loaded from `path` (a window: its directory).
  Status StartMigration(const std::string& path, const migration::Migration& m, std::string* version_schema);
  // Starts the pending `files` of `dir` as one window, or resumes that window's start.
  Status StartWindow(const std::string& dir, const std::vector<std::string>& files, std::string* version_schema);
  // `*active` has the name of `m` (loaded from `path`) but other text: plans
  // it again (resetting *active) when no start step ran, else refuses.
  Status ReplanEdited(const std::string& path, const migration::Migration& m,
                      std::optional<state::MigrationRecord>* active);
  // Before a fresh start: logs the preflight's and the lint's findings and
  // refuses (changing nothing) on a preflight error unless options_.preflight.force.
  Status Preflight(const migration::Migration& m);
  Status RefuseUnverified(const state::MigrationRecord& active);
  // True once a complete step at or past the point of no return
  // (Plan::NoReturnIndex) is journaled: the old version is gone.
  Status PassedNoReturn(const state::MigrationRecord& record, bool* passed);
  static std::string LeftByRollback(const state::MigrationRecord& record);

  Options options_;
  pg::Connection conn_;
  std::unique_ptr<state::StateStore> state_;
  std::string migration_, version_schema_;
};

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_LIFECYCLE_H_
