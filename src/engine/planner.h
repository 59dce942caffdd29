#ifndef PLEAT_ENGINE_PLANNER_H_
#define PLEAT_ENGINE_PLANNER_H_
// PlanMigration: validates a loaded migration against the live catalog and
// plans all three of its phases at once: start (operations' expansion, sync
// triggers, backfill, the new version schema), complete (old version schema
// dropped, triggers removed, operations' contraction, plain views) and rollback
// (new version schema dropped, triggers removed, operations undone in reverse).
// Reads the catalog; changes nothing.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/options.h"
#include "migration/migration.h"
#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::engine {

struct PlannedMigration {
  std::string version_schema;
  nlohmann::json plans;  // {"start", "complete", "rollback": [steps], "verify": see verifier.h}
};

// The version schema of migration suffix `suffix` in `schema`, fitted to 63 bytes.
std::string VersionSchemaName(const std::string& schema, const std::string& suffix);

// Validates `migration` against the live catalog of options.schema without
// planning: (*schemas)[i] is the virtual schema operation i sees (the catalog
// for i = 0) and schemas->back() the new version's. The preflight (src/check)
// derives what the data must satisfy from consecutive pairs.
Status ValidateMigration(pg::Connection* conn, const Options& options, const migration::Migration& migration,
                         std::vector<schema::VirtualSchema>* schemas);

// `parent_version_schema` is the newest completed version ("" for none); complete drops it.
Status PlanMigration(pg::Connection* conn, const Options& options, const migration::Migration& migration,
                     const std::string& parent_version_schema, PlannedMigration* out);

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_PLANNER_H_
