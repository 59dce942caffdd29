#ifndef PLEAT_HISTORY_BASELINE_H_
#define PLEAT_HISTORY_BASELINE_H_
// Baseline: `pleat baseline NAME DIR`. Adopts a schema that plain SQL or
// another tool built: writes migration files that rebuild it as it is now
// (baseline_reader.h) and records them in pleat's history as completed,
// without running them, so `migrate DIR` applies only the files after them.
// A `sql` operation must be alone in its file, so there may be up to three
// files, in order: DIR/NAME.yaml, DIR/NAME_2.yaml, DIR/NAME_3.yaml (raw SQL
// the tables need, the tables' operations, raw SQL that needs the tables).
// The version schema of the last one is created (views only, no change to the
// tables), so `pleat latest schema` names a schema applications can use.
// Takes the schema's lease. Refuses, changing nothing, when the schema already
// has a pleat history or a file it would write exists.

#include <string>
#include <vector>

#include "options.h"
#include "status.h"

namespace pleat::history {

// Sets *files to the paths written, in order, and *version_schema to the
// version schema of the last.
Status Baseline(const Options& options, const std::string& name, const std::string& dir,
                std::vector<std::string>* files, std::string* version_schema);

}  // namespace pleat::history

#endif  // PLEAT_HISTORY_BASELINE_H_
