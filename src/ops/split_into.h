#ifndef PLEAT_OPS_SPLIT_INTO_H_
#define PLEAT_OPS_SPLIT_INTO_H_
// SplitInto: one entry of split_table's `into:` list: a new table that takes
// some columns of the split table, with one row per row of it, matched by
// `key` (a column referencing the split table's primary key). Parse() reads
// the entry; Columns() describes the new table's columns from the split table
// as the file and the catalog give them, for the virtual schema and the DDL.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parse/column_def.h"
#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

struct MovedFrom {
  std::string from;                 // column of the split table
  std::string name;                 // its name in the new table
  std::optional<std::string> down;  // what the split table gets when the new row goes (NULL)
};

struct SplitInto {
  std::string table;
  std::string key;
  bool key_is_primary = false;  // `primary_key: key`: no identity `id` column
  std::vector<MovedFrom> moved;
  std::vector<parse::ColumnDef> extras;  // further columns, in pgroll's column format

  static Status Parse(const nlohmann::json& j, const std::string& where, SplitInto* out);
  // id (unless the key is the primary key), the key, the moved columns (type,
  // default, NOT NULL and one-column checks of the originals), the extras.
  // REQUIRES: `parent` has a one-column primary key and every `from` column.
  std::vector<parse::ColumnDef> Columns(const schema::Table& parent) const;
};

// "CREATE TABLE ..." of `columns` in `schema` (primary key from ColumnDef::pk).
std::string CreateTableSql(const std::string& schema, const std::string& table,
                           const std::vector<parse::ColumnDef>& columns);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_SPLIT_INTO_H_
