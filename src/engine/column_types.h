#ifndef PLEAT_ENGINE_COLUMN_TYPES_H_
#define PLEAT_ENGINE_COLUMN_TYPES_H_
// ReadColumnTypes: the type of every column of the target schema's tables, as
// format_type spells it, for `pleat convert --url` (convert/infer.h). Reads
// only; takes no lease.

#include "convert/infer.h"
#include "engine/options.h"
#include "status.h"

namespace pleat::engine {

Status ReadColumnTypes(const Options& options, convert::ColumnTypes* out);

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_COLUMN_TYPES_H_
