#ifndef PLEAT_PLANNER_SEARCH_PATH_CHECK_H_
#define PLEAT_PLANNER_SEARCH_PATH_CHECK_H_
// SearchPathCheck: whether an expression means the same under every
// search_path, so that a trigger function evaluating it on each written row
// may go without a `SET search_path` clause. On PostgreSQL 15 that clause
// costs a search-path switch and recomputation on every call, which doubles
// the cost of a bulk UPDATE of a synced column (bench/README.md).
//
// An expression qualifies when every name it leaves unqualified (functions,
// operators, types, collations) exists only in pg_catalog, which every
// search_path includes, none of those reads the search_path itself (reg*
// types, functions taking reg* arguments, to_reg*, current_schema(s),
// current_setting, set_config), and it names no table without a schema.
// Names in other schemas, even same-named overloads, keep the clause.
//
// The catalog is read once, when the migration is planned. An object created
// later in another schema on a writer's search_path under one of those names
// could change what that writer's rows compute, as it could the writer's own
// queries; the pinned functions of earlier versions had the same exposure for
// the table's own schema.

#include <set>
#include <string>

#include "parse/expression.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::planner {

class SearchPathCheck {
 public:
  // Reads which names exist outside pg_catalog or read the search_path.
  static Status Load(pg::Connection* conn, SearchPathCheck* out);

  // True when `expression` resolves the same under any search_path.
  bool Independent(const parse::Expression& expression) const;

 private:
  // Names an unqualified reference to which depends on the search_path.
  std::set<std::string> functions_, operators_, types_, collations_;
};

}  // namespace pleat::planner

#endif  // PLEAT_PLANNER_SEARCH_PATH_CHECK_H_
