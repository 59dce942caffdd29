#ifndef PLEAT_OPS_COMMON_H_
#define PLEAT_OPS_COMMON_H_
// Small helpers every operation uses: finding a table or column in the virtual
// schema with the error message users expect, and naming physical objects in SQL.

#include <string>

#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// Finds table `name` as the new version sees it so far; NotFound names it and says what to do.
Status FindTable(schema::VirtualSchema* schema, const std::string& name, schema::Table** out);
Status FindTable(const schema::VirtualSchema& schema, const std::string& name, const schema::Table** out);
Status FindColumn(schema::Table* table, const std::string& name, schema::Column** out);
// Fails when `name` is already taken by a relation in the schema.
Status RequireFreeRelationName(const schema::VirtualSchema& schema, const std::string& name);
// Checks that constraint `name` can be created on `table` at start, and takes
// the name for the rest of the file. It fails when the table has a constraint of
// that name, or had one that an earlier operation of the file drops or renames
// (PostgreSQL frees the name only at complete), or, for a constraint with an
// index (`indexed`: unique, primary key), when a relation has that name.
Status ClaimConstraintName(schema::VirtualSchema* schema, const schema::Table& table, const std::string& name,
                           bool indexed);
// Fails when `table` keeps a physical column `name` that the new version no
// longer shows (an earlier operation of the file drops, moves or replaces it):
// it goes only at complete, so a column added at start cannot take its name.
Status RequireFreePhysicalColumn(const schema::Table& table, const std::string& name);
// `table` as the old version reads it in an `up`: its visible columns, and the
// columns the file drops or moves under their physical names.
schema::Table WithOldColumns(const schema::Table& table);
// "schema"."physical table" of table `name` (which must exist in `schema`).
std::string PhysicalTable(const schema::VirtualSchema& schema, const std::string& name);
// Checks that `text` parses as one SQL expression and that every column it names
// outside sub-SELECTs exists in `table` (as the new version sees it). `what`
// names the expression in errors ("up", "check").
Status CheckExpressionColumns(const std::string& text, const schema::Table& table, const std::string& what);
// `text` with each column it names (as `table` shows it) rewritten to the
// physical column; they differ when an earlier operation renamed one.
// REQUIRES: `text` passed CheckExpressionColumns (else it is returned as is).
std::string OnPhysicalColumns(const std::string& text, const schema::Table& table);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_COMMON_H_
