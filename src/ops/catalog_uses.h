#ifndef PLEAT_OPS_CATALOG_USES_H_
#define PLEAT_OPS_CATALOG_USES_H_
// CatalogUses: what an operation builds whose success depends on the catalog
// beyond the names the virtual schema knows: its indexes, and those behind its
// unique and primary key constraints (each key needs an operator class that
// accepts the column's type; a predicate must be IMMUTABLE), and its foreign
// keys (the referenced columns need a unique index, the types an equality). Operation::AddCatalogUses fills it from the
// schema after the operation; planner/catalog_names.h checks it before any DDL,
// in `check` and in `start`. Plain data: all names physical, types as written.

#include <string>
#include <utility>
#include <vector>

#include "schema/virtual_schema.h"

namespace pleat::ops {

struct KeyUse {
  std::string name;       // as the new version sees it
  std::string column;     // physical
  std::string type;       // the column's
  std::string opclass;    // quoted, maybe qualified; "" for the type's default
  std::string collation;  // quoted, maybe qualified; "" for the column's own
};

struct IndexUse {
  size_t operation = 0;        // set by the engine
  std::string what;            // "unique constraint \"items_doc_key\" of table \"items\""
  std::string table;           // physical
  std::string method = "btree";
  bool unique = true;
  std::vector<KeyUse> keys;    // in key order
  std::string predicate;       // over physical columns; "" for none
};

struct ForeignKeyUse {
  size_t operation = 0;
  std::string what;                  // "foreign key \"fk_item\""
  std::vector<std::string> types;    // of the referencing columns
  std::string ref_table;             // physical
  std::vector<std::string> ref_columns, ref_types;  // physical; empty when the table is unknown
};

// A check constraint of a table the file creates: compiled over a row of
// `columns` (no table to read yet; an existing table's are the preflight's).
struct CheckUse {
  size_t operation = 0;
  std::string what;  // "check \"n_ok\" of table \"t5\""
  std::vector<std::pair<std::string, std::string>> columns;  // name, type
  std::string expression;
};

struct CatalogUses {
  std::vector<IndexUse> indexes;
  std::vector<ForeignKeyUse> foreign_keys;
  std::vector<CheckUse> checks;
};

// The index of unique (or primary key) constraint `name` on visible `columns` of `table`.
IndexUse UniqueOn(const std::string& kind, const std::string& name, const schema::Table& table,
                   const std::vector<std::string>& columns);
// A foreign key `name` from columns of `types` to visible `ref_columns` of
// `ref_table` (its primary key when empty), as `after` shows them.
ForeignKeyUse ForeignKeyTo(const std::string& name, const std::vector<std::string>& types,
                           const schema::VirtualSchema& after, const std::string& ref_table,
                           std::vector<std::string> ref_columns);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_CATALOG_USES_H_
