#ifndef PLEAT_PG_CONNINFO_OPTIONS_H_
#define PLEAT_PG_CONNINFO_OPTIONS_H_
// WithSearchPath: a connection string that selects `schema` for every session
// opened with it, through libpq's `options` (`-c search_path=<schema>`), as
// `pleat latest url` prints it for applications. A URL keeps its other
// parameters and gets the option percent-encoded (added to any `options` it
// has); a key=value string gets `options='...'` appended; an empty one becomes
// a URL that leaves host, user and database to libpq's defaults (PG*).
// Pure string work.

#include <string>

namespace pleat::pg {

std::string WithSearchPath(const std::string& conninfo, const std::string& schema);

}  // namespace pleat::pg

#endif  // PLEAT_PG_CONNINFO_OPTIONS_H_
