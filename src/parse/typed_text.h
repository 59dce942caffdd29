#ifndef PLEAT_PARSE_TYPED_TEXT_H_
#define PLEAT_PARSE_TYPED_TEXT_H_
// Typed text: the fields of a migration file that pleat pastes into its SQL as
// written and that are not expressions (a column type, an identity's sequence
// options). Each is parsed with libpg_query inside a fixed statement and must
// be exactly what the field claims, so `text; DROP TABLE t; --` is refused when
// the file is loaded, before anything runs. On failure the Status says what is
// wrong; callers add the file, operation and field. Only a `sql` operation may
// carry arbitrary SQL.

#include <string>

#include "status.h"

namespace pleat::parse {

// Accepts exactly one type name: `SELECT NULL::<text>` must be one SELECT of one
// target that is a cast of NULL, with constant type modifiers and no SETOF.
Status ParseTypeName(const std::string& text);

// Accepts sequence options only: `CREATE SEQUENCE s <text>` must be exactly one
// CREATE SEQUENCE statement.
Status ParseSequenceOptions(const std::string& text);

// Fails when `sql` (a statement built around a field) ends inside a `--`
// comment: pasted into pleat's DDL, the comment would hide what follows it.
Status CheckNoOpenLineComment(const std::string& sql);

}  // namespace pleat::parse

#endif  // PLEAT_PARSE_TYPED_TEXT_H_
