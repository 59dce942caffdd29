#ifndef PLEAT_PLANNER_PLANNER_H_
#define PLEAT_PLANNER_PLANNER_H_
// PlanMigration: validates a loaded migration against the live catalog and
// plans all three of its phases at once: start (operations' expansion, sync
// triggers, backfill, the new version schema), complete (old version schema
// dropped, triggers removed, operations' contraction, plain views) and rollback
// (new version schema dropped, triggers removed, operations undone in reverse).
// Reads the catalog; changes nothing.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migration/migration.h"
#include "options.h"
#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

struct PlannedMigration {
  std::string version_schema;
  nlohmann::json plans;  // {"start", "complete", "rollback": [steps], "verify": see verifier.h}
};

// The version schema of migration suffix `suffix` in `schema`, fitted to 63 bytes.
std::string VersionSchemaName(const std::string& schema, const std::string& suffix);

// Called once per operation, right after it validated, with its index, the
// virtual schema it saw and the one it left (whose ChangedTables() are the
// tables the operation touched); an error stops the validation.
using OperationVisitor =
    std::function<Status(size_t, const schema::VirtualSchema&, const schema::VirtualSchema&)>;

// Validates `migration` against the live catalog of options.schema without
// planning, and resolves the names it brings in (catalog_names.h). *catalog is
// the schema read, *after the new version's; `visit` sees each operation (the
// preflight derives what the data must satisfy from it). Keeps two schemas at a
// time: memory is linear in the size of the file.
Status ValidateMigration(pg::Connection* conn, const Options& options, const migration::Migration& migration,
                         const OperationVisitor& visit, schema::VirtualSchema* catalog, schema::VirtualSchema* after);

// `parent_version_schema` is the newest completed version ("" for none); complete drops it.
Status PlanMigration(pg::Connection* conn, const Options& options, const migration::Migration& migration,
                     const std::string& parent_version_schema, PlannedMigration* out);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_PLANNER_H_
