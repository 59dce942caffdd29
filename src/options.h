#ifndef PLEAT_OPTIONS_H_
#define PLEAT_OPTIONS_H_
// Options: everything a command needs to know about where and how to work,
// filled by the CLI from flags and environment. A plain struct; copy freely.

#include <functional>
#include <string>
#include <vector>

namespace pleat {

// How the backfill sizes, spreads and paces its batches (`--backfill-target`,
// `--backfill-batch-size`, `--jobs`, `--max-replica-lag`).
struct BackfillOptions {
  int target_ms = 200;                  // aim of each batch's transaction time (capped at the lock timeout)
  int min_rows = 100;                   // batch size bounds; min_rows == max_rows: fixed size
  int max_rows = 100000;
  int jobs = 2;                         // tables backfilled at once, each on its own connection
  int max_replica_lag_ms = 5000;        // pause while a streaming replica lags more; 0: never
  // Where replica lag is read. Tests point it at a view with the same columns
  // (application_name, state, replay_lag); nothing else should change it.
  std::string lag_schema = "pg_catalog", lag_view = "pg_stat_replication";
  // On a terminal: redraws the progress bars in place (one line per table).
  // Null elsewhere: progress goes to `log` as plain periodic lines.
  std::function<void(const std::vector<std::string>&)> bars;
};

// What the data-aware preflight of `check` and `start` does (src/check/preflight.h).
struct PreflightOptions {
  long long sample_rows = 0;         // `--sample N`: about N rows per table instead of every row
  int statement_timeout_ms = 60000;  // per query; a query that times out is reported, not fatal
  int batch_rows = 1000;             // rows evaluated per query (failing batches are bisected)
  bool force = false;                // `start --force`: start despite error findings
};

struct Options {
  std::string conninfo;             // URL or key=value; "" means libpq's PG* defaults
  std::string schema = "public";    // the target schema
  std::string state_schema = "pleat";
  // `--role`: every session of pleat runs SET ROLE to it after connecting, so
  // what pleat creates is owned by that role (the login role must be a member).
  std::string role;
  int lock_timeout_ms = 500;        // per DDL statement
  int max_lock_attempts = 20;       // bounded retries after a lock timeout
  BackfillOptions backfill;
  PreflightOptions preflight;
  // complete --force: complete even when verify finds problems (it says so, loudly).
  bool force_complete = false;
  // Progress and narration for people ("adding column ..."); never null once the
  // engine runs. The CLI prints these to stderr; tests may collect them.
  std::function<void(const std::string&)> log = [](const std::string&) {};
  // Called with (phase, step id) just before each step a phase runs, and with
  // (phase, "") after its last one; also with ("backfill", "<table> batch <n>")
  // before each backfill batch, from the worker thread running it (so it must
  // be thread-safe when --jobs > 1). Crash tests use it to die at exact points.
  std::function<void(const std::string&, const std::string&)> before_step =
      [](const std::string&, const std::string&) {};
};

}  // namespace pleat

#endif  // PLEAT_OPTIONS_H_
