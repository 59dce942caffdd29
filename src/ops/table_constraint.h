#ifndef PLEAT_OPS_TABLE_CONSTRAINT_H_
#define PLEAT_OPS_TABLE_CONSTRAINT_H_
// TableConstraint: a table-level constraint in pgroll's format (create_table's
// `constraints:`): check, unique, primary_key, foreign_key or exclude, with
// index parameters. Parse() validates the form; Sql() renders the
// "CONSTRAINT name ..." clause with the referenced tables' physical names.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

struct TableConstraint {
  std::string name;
  std::string type;  // check, unique, primary_key, foreign_key, exclude
  std::vector<std::string> columns;
  std::string check;
  bool no_inherit = false;
  bool deferrable = false;
  bool initially_deferred = false;
  bool nulls_not_distinct = false;
  // foreign_key
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string match_type, on_delete, on_update;
  std::vector<std::string> on_delete_set_columns;
  // index parameters (unique, primary_key, exclude)
  std::string tablespace, storage_parameters;
  std::vector<std::string> include_columns;
  // exclude
  std::string exclude_method, exclude_elements, exclude_predicate;

  static Status Parse(const nlohmann::json& j, const std::string& where, TableConstraint* out);
  // Checks columns exist in `table` and the referenced table exists in `schema`.
  Status Validate(const schema::VirtualSchema& schema, const schema::Table& table) const;
  std::string Sql(const schema::VirtualSchema& schema) const;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_TABLE_CONSTRAINT_H_
