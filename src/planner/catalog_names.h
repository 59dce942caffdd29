#ifndef PLEAT_PLANNER_CATALOG_NAMES_H_
#define PLEAT_PLANNER_CATALOG_NAMES_H_
// CheckCatalogNames: resolves, in the live catalog, the names a migration's
// operations bring in that the virtual schema cannot judge: column types (also
// array, schema-qualified, domain and enum types), column defaults (compiled
// with PREPARE and EXPLAINed; an add_column default that is not VOLATILE is
// also evaluated once, as ADD COLUMN would), and the operator classes and collations of new
// indexes; then what catalog_keys.h checks of the keys the file builds. Runs in
// `check` and in `start` before any DDL, so a file `check` accepts does not
// fail `start` on an unknown name. Reads only.

#include <vector>

#include "migration/migration.h"
#include "ops/catalog_uses.h"
#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

// `catalog` is the schema read from the server, `after` the new version's,
// `uses` what the operations build (Operation::AddCatalogUses).
// Fails at the first unknown name, naming the operation (found by validating
// the file again, on failure only) and the object.
Status CheckCatalogNames(pg::Connection* conn, const migration::Migration& migration,
                         const schema::VirtualSchema& catalog, const schema::VirtualSchema& after,
                         const ops::CatalogUses& uses);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_CATALOG_NAMES_H_
