#ifndef PLEAT_CONVERT_COLUMN_TYPES_H_
#define PLEAT_CONVERT_COLUMN_TYPES_H_
// ReadColumnTypes: the type of every column of the target schema's tables, as
// format_type spells it, for `pleat convert --url` (convert/infer.h). Reads
// only; takes no lease.

#include "convert/infer.h"
#include "options.h"
#include "status.h"

namespace pleat::convert {

Status ReadColumnTypes(const Options& options, convert::ColumnTypes* out);

}  // namespace pleat::convert

#endif  // PLEAT_CONVERT_COLUMN_TYPES_H_
