#ifndef PLEAT_PG_QUOTE_H_
#define PLEAT_PG_QUOTE_H_
// Quoting of identifiers and literals for SQL that pleat builds. Every name or
// value spliced into SQL outside src/pg goes through these. Literals assume
// standard_conforming_strings = on (the default since PostgreSQL 9.1).

#include <string>
#include <string_view>
#include <vector>

namespace pleat::pg {

// Always double-quotes: "users", "Weird ""name""".
std::string QuoteIdent(std::string_view name);
// schema.name, both quoted.
std::string QualifiedName(std::string_view schema, std::string_view name);
// 'text' with embedded quotes doubled.
std::string QuoteLiteral(std::string_view value);
// A name for a temporary object: "_pleat_" + parts joined by '_', shortened with
// a hash so it never passes PostgreSQL's 63-byte limit.
std::string PleatName(std::string_view kind, std::string_view a, std::string_view b = "");
// "CREATE OR REPLACE FUNCTION <fn>(<params>) RETURNS <returns>" of a PL/pgSQL
// body, dollar-quoted with a tag the body does not contain; `search_path`, if
// not empty, is pinned (a per-call cost: functions that run on every written
// row name each object with its schema instead, see docs/architecture.md).
std::string PlpgsqlFunctionSql(std::string_view fn, std::string_view params, std::string_view returns,
                               std::string_view search_path, std::string_view body);
// `body` (PL/pgSQL) as an anonymous DO statement, dollar-quoted with a tag the
// body does not contain.
std::string DoBlockSql(std::string_view body);
// A trigger function that runs with its owner's rights (SECURITY DEFINER,
// `search_path` pinned): the CREATE, then a REVOKE of EXECUTE from PUBLIC, so
// no other role can attach it to a table of its own (a trigger that fires
// needs no EXECUTE right; CREATE TRIGGER does). For pleat's triggers that
// write a second table on behalf of whoever wrote the first (docs/architecture.md,
// "Roles and privileges").
std::vector<std::string> OwnerRightsTriggerFunctionSql(std::string_view fn, std::string_view search_path,
                                                       std::string_view body);
// Shortens any name to 63 bytes by replacing its tail with a hash of the whole.
std::string FitIdentifier(std::string_view name);

}  // namespace pleat::pg

#endif  // PLEAT_PG_QUOTE_H_
