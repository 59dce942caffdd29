#include "convert/column_types.h"

#include "state/session.h"

namespace pleat::convert {

Status ReadColumnTypes(const Options& options, convert::ColumnTypes* out) {
  pg::Connection conn;
  pg::Result res;
  Status s = state::OpenSession(options, &conn);
  // search_path is pg_catalog alone, so a type of any other schema is spelled qualified, as convert writes it.
  if (s.ok()) s = conn.Exec("SET search_path = pg_catalog");
  if (s.ok())
    s = conn.ExecParams(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
        {options.schema}, &res);
  for (int r = 0; s.ok() && r < res.rows(); ++r) (*out)[{res.Get(r, 0), res.Get(r, 1)}] = res.Get(r, 2);
  return s.ok() ? s : s.WithContext("reading the column types of schema \"" + options.schema + "\"");
}

}  // namespace pleat::convert
