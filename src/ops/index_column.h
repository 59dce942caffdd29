#ifndef PLEAT_OPS_INDEX_COLUMN_H_
#define PLEAT_OPS_INDEX_COLUMN_H_
// IndexColumn: one column of create_index's `columns`, in any of the forms
// pgroll files use: a list of `{column, collate, sort, nulls, opclass}`
// objects, a list of plain column names (pgroll before 0.10), or a mapping of
// column name to settings (0.10; accepted with one column only, because a
// mapping loses the order of several). ParseList() validates the form; Sql()
// renders the index element. Collation and operator class names written
// without quotes or a schema are quoted as written (`C` stays upper case).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/virtual_schema.h"
#include "status.h"

namespace pleat::ops {

struct IndexColumn {
  std::string column;  // as the new version sees it
  std::string collate;
  std::string sort;   // "", "ASC" or "DESC"
  std::string nulls;  // "", "FIRST" or "LAST"
  std::string opclass;
  std::vector<std::string> opclass_params;  // "siglen=32"

  // Reads the `columns` value; `where` prefixes errors ("operation 1 (create_index)").
  static Status ParseList(const nlohmann::json& columns, const std::string& where, std::vector<IndexColumn>* out);
  // `physical` COLLATE .. opclass (params) ASC|DESC NULLS FIRST|LAST.
  std::string Sql(const std::string& physical) const;
  // The same key as the catalog would describe it, so a shadow can rebuild it (ops/shadow_indexes.h).
  schema::IndexKey Key(const std::string& physical) const;
};

}  // namespace pleat::ops

#endif  // PLEAT_OPS_INDEX_COLUMN_H_
