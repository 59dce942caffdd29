#ifndef PLEAT_ENGINE_OPTIONS_H_
#define PLEAT_ENGINE_OPTIONS_H_
// Options: everything a command needs to know about where and how to work,
// filled by the CLI from flags and environment. A plain struct; copy freely.

#include <functional>
#include <string>

namespace pleat::engine {

struct Options {
  std::string conninfo;             // URL or key=value; "" means libpq's PG* defaults
  std::string schema = "public";    // the target schema
  std::string state_schema = "pleat";
  int lock_timeout_ms = 500;        // per DDL statement
  int max_lock_attempts = 20;       // bounded retries after a lock timeout
  int backfill_batch_rows = 1000;
  // complete: run even when `verify` finds problems (it says so, loudly).
  bool force = false;
  // Progress and narration for people ("adding column ..."); never null once the
  // engine runs. The CLI prints these to stderr; tests may collect them.
  std::function<void(const std::string&)> log = [](const std::string&) {};
  // Called with (phase, step id) just before each step a phase runs, and with
  // (phase, "") after its last one. Crash tests use it to die at exact points.
  std::function<void(const std::string&, const std::string&)> before_step =
      [](const std::string&, const std::string&) {};
};

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_OPTIONS_H_
