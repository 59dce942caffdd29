#ifndef PLEAT_PLANNER_VIEW_SPEC_H_
#define PLEAT_PLANNER_VIEW_SPEC_H_
// ViewSpec: how one version sees the physical tables, as stored in a views
// Step: which tables it hides, under which names it shows tables and columns,
// which columns it hides, and which view-level defaults it declares. Tables and
// columns the spec does not mention are shown as they are, so tables created by
// raw SQL appear too. BuildViewsSql() turns a spec plus the live catalog into
// the statements that (re)create the version schema in one transaction.

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::planner {

struct TableViewSpec {
  std::string name;                                // the view's name
  std::map<std::string, std::string> renamed;      // physical column -> visible name
  std::set<std::string> hidden;                    // physical columns not shown
  std::map<std::string, std::string> defaults;     // physical column -> view default SQL
  // WITH CASCADED CHECK OPTION: INSERTs evaluate the writer-marking qual too,
  // before any AFTER row trigger (the cross-table sync of planner/move_sync.h).
  bool check_option = false;
  // Further per-row conditions ANDed with the writer-marking qual (the lock
  // order of planner/move_order.h); they may call `functions` of the spec.
  std::vector<std::string> quals;
};

struct ViewSpec {
  std::string version_schema;
  std::string target_schema;
  std::string state_schema;
  bool mark = false;  // views carry the writer-marking qual (new version during a migration)
  std::set<std::string> hidden_tables;              // physical tables not shown
  std::map<std::string, TableViewSpec> tables;      // by physical table
  // Run after the old views are dropped and before the new ones are created, in
  // the same transaction: column type changes the views would otherwise block.
  std::vector<std::string> alter_sql;
  // CREATE FUNCTION statements for the version schema, run before its views
  // (whose quals call them); they go with the schema.
  std::vector<std::string> functions;
  // Physical table -> its physical columns in the order the version lists them
  // (the table's own order, a new column last, as plain DDL would have it; a
  // shadow in the place of the column it replaces). Views list their columns in
  // this order, so positional INSERTs and SELECT * mean what they meant; live
  // columns missing here follow in the table's order.
  std::map<std::string, std::vector<std::string>> column_order;

  nlohmann::json ToJson() const;
  static ViewSpec FromJson(const nlohmann::json& j);
  // The spec of the version `after` describes (without view defaults).
  static ViewSpec FromSchema(const schema::VirtualSchema& after, const std::string& version_schema,
                             const std::string& state_schema, bool mark);
  // column_order for the tables as complete leaves them: by final name (each
  // table and column then has its visible name).
  static std::map<std::string, std::vector<std::string>> FinalColumnOrder(const schema::VirtualSchema& after);
};

// Reads the live tables of the target schema and returns the statements that
// drop and recreate the version schema with one security_invoker view per table.
Status BuildViewsSql(pg::Connection* conn, const ViewSpec& spec, std::vector<std::string>* sql);

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_VIEW_SPEC_H_
