#ifndef PLEAT_OPS_CONSTRAINT_SUPPORT_H_
#define PLEAT_OPS_CONSTRAINT_SUPPORT_H_
// Helpers shared by the constraint operations (drop_constraint,
// drop_multicolumn_constraint, rename_constraint, create_constraint): finding a
// constraint of a table in the virtual schema with the error users expect,
// reading pgroll's per-column `up`/`down` maps, and checking those expressions.
// Nothing here touches the server.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// "check", "unique", "primary key", "foreign key", "exclusion" for pg_constraint.contype.
std::string ConstraintTypeName(char type);
// The constraint `name` of `table` as the new version sees it so far; NotFound names both.
Status FindConstraint(schema::Table* table, const std::string& name, schema::Constraint** out);
// Fails unless `k` is a check, unique or foreign key (the kinds pgroll's drop operations
// take); `op` names the operation in the message.
Status RequireDroppable(const schema::Constraint& k, const schema::Table& table, const std::string& op);
// Reads an optional mapping {column: expression} (pgroll's MultiColumnUpSQL).
// A leading "SELECT " that pgroll tolerates is removed when what follows is one expression.
// REQUIRES: `value` is null (absent) or what FieldReader::OptObject returned.
Status ParseColumnMap(const nlohmann::json* value, const std::string& where, std::map<std::string, std::string>* out);
// pgroll accepts `up: SELECT <expression>`; returns the expression part (or `text` as is).
std::string WithoutSelect(const std::string& text);
// Checks every key of `map` is in `columns` (physical names of the constraint,
// shown through `table`) and each expression names only columns of `table`.
// `what` is "up" or "down".
Status CheckColumnMap(const std::map<std::string, std::string>& map, const schema::Table& table,
                      const std::vector<std::string>& columns, const std::string& constraint, const std::string& what);
// Removes constraint `name` from the new version's view of `table`, and the index
// behind it from `schema` (its name stays taken until complete drops it).
void ForgetConstraint(schema::VirtualSchema* schema, schema::Table* table, const std::string& name);

// The physical column holding visible column `column` of `table` (`column` itself if unknown).
std::string PhysicalColumn(const schema::Table& table, const std::string& column);
// "(\"a\", \"b\")": the physical columns of visible `columns`, quoted.
std::string PhysicalColumnList(const schema::Table& table, const std::vector<std::string>& columns);
// A step that builds an index CONCURRENTLY (alone, outside a transaction); a
// failed build leaves an invalid index, which the step runner drops before a retry.
plan::Step ConcurrentIndexStep(const plan::Plan& plan, const std::string& name, const std::string& description,
                                 const std::string& sql, const std::string& qualified_index);
// Renames the columns of index `qualified_index` (an index keeps the column names it
// was built with) from their names in `built` to those in `final` (a shadow's: its
// original's, which it takes at complete), for each of `columns`.
std::vector<std::string> RenameIndexColumns(const std::string& qualified_index, const schema::Table& built,
                                            const schema::Table& final, const std::vector<std::string>& columns);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_CONSTRAINT_SUPPORT_H_
