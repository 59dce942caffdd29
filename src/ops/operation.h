#ifndef PLEAT_OPS_OPERATION_H_
#define PLEAT_OPS_OPERATION_H_
// Operation: one entry in a migration's `operations:` list. Validate() checks
// the operation against the virtual schema the new version sees so far and
// applies it there, so later operations see its effect. The other methods never
// touch the server: they add Steps to a Plan, and the engine runs them with
// lock_timeout, retries and a journal. Every Step must be safe to replay.
// `before` is the virtual schema as it was just before this operation.
// Complete() and Rollback() are planned at start, with the same `before`.

#include <string>
#include <string_view>
#include <vector>

#include "ops/catalog_uses.h"
#include "plan/plan.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

// A column as the file writes it: one the operation creates, or gives a type.
// Lint reads these (it has no database, so no virtual schema to read them from).
struct WrittenColumn {
  std::string table;   // as the file names it
  std::string column;
  std::string type;    // as written
  bool primary_key = false;
  bool new_table = false;  // the operation creates the table
  bool retyped = false;    // an existing column given this type
};

class Operation {
 public:
  virtual ~Operation() = default;
  virtual std::string_view Key() const = 0;  // "add_column", as written in the file
  virtual Status Validate(schema::VirtualSchema* schema) const = 0;
  virtual Status Start(const schema::VirtualSchema& before, plan::Plan* plan) const = 0;
  virtual Status Complete(const schema::VirtualSchema& before, plan::Plan* plan) const = 0;
  virtual Status Rollback(const schema::VirtualSchema& before, plan::Plan* plan) const = 0;
  // True when the operation changes the schema in ways pleat cannot model
  // (raw SQL): such an operation must be the only one in its migration, and
  // the new version's views are read from the catalog after it runs.
  virtual bool IsIsolated() const { return false; }
  // True when Complete() renames a physical table or column. The engine runs
  // such steps after every other operation's complete steps, which may thus
  // keep using the physical names of `before`, and in operation order, so each
  // rename finds its object under the visible name `before` shows.
  virtual bool RenamesOnComplete() const { return false; }
  // What Rollback() cannot undo ("the raw SQL of `up`: it has no `down`"), or
  // "" when rollback restores everything the operation changed. `rollback` says
  // it, rather than claim the schema is as before.
  virtual std::string LeftByRollback() const { return ""; }
  // Adds the unique keys and foreign keys the operation builds, as `after` (the
  // schema its Validate() left) shows them, for the catalog check before any DDL.
  virtual void AddCatalogUses(const schema::VirtualSchema&, CatalogUses*) const {}
  // Adds the constraints the operation builds on the existing rows of `table`
  // (as `after` shows it) that `after` does not list: add_column's column
  // constraints stay out of the virtual schema. Definitions over physical
  // columns, as schema::Constraint holds them. The preflight checks the rows
  // against these and against the constraints `after` adds.
  virtual void AddPendingConstraints(const schema::VirtualSchema& /*after*/, const schema::Table& /*table*/,
                                     std::vector<schema::Constraint>*) const {}
  // Adds the columns the operation creates or retypes, as the file writes them.
  virtual void AddWrittenColumns(std::vector<WrittenColumn>*) const {}
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_OPERATION_H_
