#ifndef PLEAT_PLANNER_TRUNCATED_NAMES_H_
#define PLEAT_PLANNER_TRUNCATED_NAMES_H_
// CheckTruncatedNames: PostgreSQL keeps the first 63 bytes of a name and drops
// the rest with only a NOTICE, so two names the file keeps apart can be one
// name to the server: two long columns of one table, or a long table name and
// another relation. The virtual schema compares names whole; this compares them
// as the server will, before any DDL, in `check` and in `start`. Pure.

#include "migration/migration.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

// `catalog` is the schema read from the server, `after` the new version's.
// Fails at the first pair, naming the operation that made it and both names.
Status CheckTruncatedNames(const migration::Migration& migration, const schema::VirtualSchema& catalog,
                           const schema::VirtualSchema& after);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_TRUNCATED_NAMES_H_
