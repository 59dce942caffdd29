#ifndef PLEAT_CONVERT_WIDENING_H_
#define PLEAT_CONVERT_WIDENING_H_
// IsWidening: whether changing a column from type `from` to type `to` keeps
// every value exactly, so a cast each way is a certain `up` (and a `down` that
// fails only for values the old type cannot hold). Types are compared as
// PostgreSQL spells them or by their common aliases (int4, varchar(10),
// decimal(10,2)); anything not known to widen is false. Pure.

#include <string>

namespace pleat::convert {

bool IsWidening(const std::string& from, const std::string& to);

}  // namespace pleat::convert

#endif  // PLEAT_CONVERT_WIDENING_H_
