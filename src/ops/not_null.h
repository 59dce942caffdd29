#ifndef PLEAT_OPS_NOT_NULL_H_
#define PLEAT_OPS_NOT_NULL_H_
// What applications and the catalog see of a NOT NULL that a migration adds
// (add_column with `up`, a shadow that is NOT NULL). During the migration the
// column is held by a NOT VALID `CHECK (col IS NOT NULL)` (validated at
// complete without blocking writes, then SET NOT NULL trusts it), which would
// report 23514 check_violation under pleat's name. A guard trigger raises
// PostgreSQL's own error instead: 23502 not_null_violation naming the column
// and table as the new version shows them (docs/architecture.md, "What
// applications see in violations"). After complete, the NOT NULL constraint
// (PostgreSQL 18 names them) takes the name plain DDL would have given it.
// Pure SQL building; the operations put it in their steps.

#include <string>
#include <vector>

#include "schema/virtual_schema.h"

namespace pleat::ops {

// A NOT NULL guard: where it sits, and what its error names.
struct NotNullGuard {
  std::string schema;
  std::string physical_table, physical_column;  // where the value is stored
  std::string table, column;                    // as the new version shows them
};

// Creates the guard: a BEFORE INSERT OR UPDATE row trigger, WHEN the column is
// NULL (evaluated in C: a row that passes calls no function), that raises 23502.
// Its name sorts after the sync trigger's (`~_pleat_sync_...`), so it sees the
// value that trigger computed; BEFORE triggers run before any constraint check,
// so it fires where the CHECK would have. Replayable.
std::vector<std::string> NotNullGuardSql(const NotNullGuard& guard);
// Drops the guard (trigger and function); replayable.
std::vector<std::string> DropNotNullGuardSql(const NotNullGuard& guard);

// PostgreSQL 18 records NOT NULL as a constraint named after the table and
// column it was set on; a shadow's is named after the shadow, and a column
// added before a rename of its table in the same file after the old name.
// SQL that renames the NOT NULL constraint of `column` of `table` ("schema"."t")
// to `name` when it has another name and `name` is free on the table; nothing
// before PostgreSQL 18 (no such constraint).
std::string RenameNotNullSql(const std::string& table, const std::string& column, const std::string& name);
// The name plain DDL gives the NOT NULL constraint of `column` set on `table`.
std::string NotNullName(const std::string& table, const std::string& column);
// The name plain DDL leaves on the NOT NULL constraint of shadow `sh` of a
// column of `old` (the table as the catalog has it): the original's, which
// ALTER COLUMN ... TYPE keeps; else the one SET NOT NULL gives where the file
// sets it (Shadow::not_null_name); else after the table's and column's names.
std::string ShadowNotNullName(const schema::Table& old, const schema::Shadow& sh);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_NOT_NULL_H_
