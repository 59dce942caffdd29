#ifndef PLEAT_OPS_TYPE_CHANGE_H_
#define PLEAT_OPS_TYPE_CHANGE_H_
// Column type changes PostgreSQL makes in place: the new type reads the stored
// bytes as they are, so `ALTER COLUMN ... TYPE` rewrites no row and keeps every
// index (pg_class.relfilenode unchanged; checked on PostgreSQL 15). alter_column
// takes this path instead of a shadow column; the column keeps its old, narrower
// type during the migration (both versions read and write it, so nothing either
// writes is lost on rollback), and the final views step retypes it at complete.
// Types are compared by their libpg_query parse, never by text. Pure functions.

#include <string>
#include <vector>

#include "schema/virtual_schema.h"

namespace pleat::ops {

// True when changing a column from type `from` to `to` rewrites nothing:
// the same type; varchar(n) to varchar(m >= n), varchar or text; text to
// varchar; numeric(p,s) to numeric(p' >= p, s) or numeric; bit varying(n),
// timestamp[tz](p) and time[tz](p) to a precision or length >= p, or none.
// False for anything it cannot parse or does not know (arrays, domains, ...).
bool RetypesInPlace(const std::string& from, const std::string& to);

// True when `a` and `b` spell the same type (`varchar(5)`, `character varying(5)`).
bool SameType(const std::string& a, const std::string& b);

// True when `expression` is one of `columns` itself, or a plain cast of it
// (`c::t`, `CAST(c AS t)`) to a type that spells `cast_to` (any type when
// `cast_to` is empty).
bool IsColumnOrCast(const std::string& expression, const std::vector<std::string>& columns,
                    const std::string& cast_to);

// The ALTER TABLE statements that give each column whose type `after` changed
// without a shadow its new type, under the names the tables and columns have
// after complete. The views of the version schema depend on those columns:
// run the statements in the views step, between dropping and creating them.
std::vector<std::string> InPlaceRetypeSql(const schema::VirtualSchema& before, const schema::VirtualSchema& after);

}  // namespace pleat::ops

#endif  // PLEAT_OPS_TYPE_CHANGE_H_
