#ifndef PLEAT_PLANNER_CATALOG_KEYS_H_
#define PLEAT_PLANNER_CATALOG_KEYS_H_
// CheckCatalogKeys: the part of the catalog check (catalog_names.h) about what
// the file builds on its columns, asked of the live catalog: every key of a new
// index or unique / primary key constraint has an operator class of its index
// method that accepts the column's type (the default one, or the one named),
// a collation only on a collatable type; a new index's predicate compiles and
// calls no function that is not IMMUTABLE; each foreign key's referenced
// columns carry a unique index (in the catalog or built by the file) and its
// column types compare with `=`; the checks of new tables compile. Reads
// only; fails at the first problem, naming the operation and the object.

#include "migration/migration.h"
#include "ops/catalog_uses.h"
#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

// `catalog` is the schema read from the server, `after` the new version's,
// `uses` what the operations reported (Operation::AddCatalogUses).
Status CheckCatalogKeys(pg::Connection* conn, const migration::Migration& migration,
                        const schema::VirtualSchema& catalog, const schema::VirtualSchema& after,
                        const ops::CatalogUses& uses);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_CATALOG_KEYS_H_
