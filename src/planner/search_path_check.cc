#include "planner/search_path_check.h"

#include <algorithm>

namespace pleat::planner {
namespace {

// One row per (kind, name) whose unqualified use depends on the search_path.
constexpr const char* kPathDependentNames = R"(
WITH reg AS (SELECT oid FROM pg_catalog.pg_type
             WHERE typnamespace = 'pg_catalog'::regnamespace AND typname LIKE 'reg%')
SELECT 'f', proname FROM pg_catalog.pg_proc
 WHERE pronamespace <> 'pg_catalog'::regnamespace OR proargtypes::oid[] && ARRAY(SELECT oid FROM reg)
    OR proname LIKE 'to\_reg%' OR proname IN ('current_schema', 'current_schemas', 'current_setting', 'set_config')
UNION SELECT 'o', oprname FROM pg_catalog.pg_operator WHERE oprnamespace <> 'pg_catalog'::regnamespace
UNION SELECT 't', typname FROM pg_catalog.pg_type
 WHERE typnamespace <> 'pg_catalog'::regnamespace OR oid IN (SELECT oid FROM reg)
UNION SELECT 'c', collname FROM pg_catalog.pg_collation WHERE collnamespace <> 'pg_catalog'::regnamespace
)";

bool AnyIn(const std::set<std::string>& used, const std::set<std::string>& dependent) {
  return std::any_of(used.begin(), used.end(), [&](const std::string& n) { return dependent.count(n) > 0; });
}

}  // namespace

Status SearchPathCheck::Load(pg::Connection* conn, SearchPathCheck* out) {
  pg::Result res;
  Status s = conn->Exec(kPathDependentNames, &res);
  if (!s.ok()) return s.WithContext("reading which names depend on the search_path");
  *out = SearchPathCheck();
  for (int r = 0; r < res.rows(); ++r) {
    char kind = res.Get(r, 0)[0];
    std::set<std::string>* into = kind == 'f' ? &out->functions_ : kind == 'o' ? &out->operators_
                                : kind == 't' ? &out->types_ : &out->collations_;
    into->insert(res.Get(r, 1));
  }
  return Status::Ok();
}

bool SearchPathCheck::Independent(const parse::Expression& expression) const {
  const parse::Expression::UnqualifiedNames& n = expression.unqualified_names();
  return !n.table && !AnyIn(n.functions, functions_) && !AnyIn(n.operators, operators_) &&
         !AnyIn(n.types, types_) && !AnyIn(n.collations, collations_);
}

}  // namespace pleat::planner
