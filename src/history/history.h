#ifndef PLEAT_HISTORY_HISTORY_H_
#define PLEAT_HISTORY_HISTORY_H_
// History: pleat's migration history read back out, for `pleat pull` and the
// forms of `pleat latest`. Pull writes each migration's file as it was started
// (pleat keeps the file's text in the state schema), so `migrate DIR` on the
// same database finds nothing to do and on an empty one rebuilds the schema.
// Reads only: takes no lease; works through any pooler.

#include <string>
#include <vector>

#include "options.h"
#include "status.h"

namespace pleat::history {

struct LatestMigration {
  std::string name;            // "" when there is none
  std::string version_schema;
};

// Writes every completed migration and the active one (not one being rolled
// back) to DIR/<name>.yaml (.json when it was JSON), oldest first. A file of
// that name with the same text is left as it is (*unchanged); one with other
// text is refused before anything is written.
Status Pull(const Options& options, const std::string& dir, std::vector<std::string>* written,
            std::vector<std::string>* unchanged);

// The active migration, else the newest completed one, of the database.
Status DatabaseLatest(const Options& options, LatestMigration* out);
// The last migration file of `dir` in name order, and its version schema in `schema`.
Status LocalLatest(const std::string& dir, const std::string& schema, LatestMigration* out);

}  // namespace pleat::history

#endif  // PLEAT_HISTORY_HISTORY_H_
