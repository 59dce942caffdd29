#ifndef PLEAT_PG_SANDBOX_H_
#define PLEAT_PG_SANDBOX_H_
// The sandbox: one private PostgreSQL per user for trying pleat on one's own
// files (`pleat sandbox start|status|stop`). It is a ThrowawayServer (initdb
// into $TMPDIR (else /tmp)/pleat-pg.*, Unix socket only, PGTMP_BIN honoured) that outlives the
// pleat process: a state file, $XDG_RUNTIME_DIR/pleat-sandbox/state or else
// /tmp/pleat-sandbox-$UID/state, records its directory, bin directory, port and
// URL so later commands find it again. A flock on the state directory's `lock`
// file serialises concurrent commands. A state file whose server no longer
// answers is cleaned up (its directory removed) by start, stop and status.

#include <string>

#include "status.h"

namespace pleat::pg {

struct Sandbox {
  std::string dir;      // the cluster's directory (data/, socket, server.log)
  std::string bin_dir;  // the server binaries that run it
  int port = 0;
  std::string url;      // libpq URL of database postgres as user postgres
};

// Where the state file lives ($XDG_RUNTIME_DIR/pleat-sandbox or /tmp/pleat-sandbox-$UID).
std::string SandboxStateDir();

// Reuses the running sandbox (*reused = true) or starts a new one. `note`
// gets a line for the user when a dead sandbox's leftovers were removed.
Status StartSandbox(Sandbox* sandbox, bool* reused, std::string* note);
// Stops the running sandbox and removes its directory and state; *stopped is
// false when there was none (not an error).
Status StopSandbox(Sandbox* stopped_sandbox, bool* stopped, std::string* note);
// *running tells whether a sandbox answers; `sandbox` is filled when it does.
Status FindSandbox(Sandbox* sandbox, bool* running, std::string* note);

// Shell lines that point pleat (DATABASE_URL) and psql (PGHOST, PGPORT,
// PGUSER, PGDATABASE) at the sandbox, for `eval`; and the lines that undo them.
std::string SandboxExports(const Sandbox& sandbox);
std::string SandboxUnsets();

}  // namespace pleat::pg

#endif  // PLEAT_PG_SANDBOX_H_
