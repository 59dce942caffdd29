#ifndef PLEAT_CONVERT_INFER_H_
#define PLEAT_CONVERT_INFER_H_
// InferTypeChanges: with the live schema at hand (`pleat convert --url`),
// fills the `up`/`down` placeholders of converted type changes where they are
// certain: a widening change (IsWidening) gets `up: col::new_type` and
// `down: col::old_type`, with a note that the down fails for values the old
// type cannot hold (an explicit cast to a shorter varchar cuts them instead). A column not in `live_types` (created or renamed earlier
// in the same SQL) keeps its placeholder. Pure.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "convert/convert.h"

namespace pleat::convert {

// (table, column) -> its type as format_type spells it.
using ColumnTypes = std::map<std::pair<std::string, std::string>, std::string>;

// Returns how many type changes it filled in.
int InferTypeChanges(const ColumnTypes& live_types, std::vector<ConvertedMigration>* parts);

}  // namespace pleat::convert

#endif  // PLEAT_CONVERT_INFER_H_
