#ifndef PLEAT_BACKFILL_PACER_H_
#define PLEAT_BACKFILL_PACER_H_
// Pacer: when a backfill worker may run its next batch, and with which
// settings. The settings are the command's flags (--backfill-target,
// --max-replica-lag, --jobs) overridden by the live control row that `pleat
// pause`, `resume` and `tune` change from another terminal (state/control.h),
// read again before every batch, so a change takes effect at the next batch of
// each worker. A change is logged once and recorded in the row for `status`.
// While paused or while a replica lags, a worker waits between batches: no
// transaction open, no row locked; the lease's heartbeat runs on its own.
// Thread-safe; one per backfill run, shared by its workers.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "backfill/progress.h"
#include "backfill/throttle.h"
#include "options.h"
#include "pg/connection.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::backfill {

// The settings a batch runs with.
struct Settings {
  bool paused = false;
  int target_ms = 0;           // capped at the lock timeout by the batch sizer's user
  int max_replica_lag_ms = 0;  // 0: never wait for replicas
  int jobs = 1;
  std::string changed_by;      // who changed the control row last ("" when nobody)
  bool operator==(const Settings& o) const {
    return paused == o.paused && target_ms == o.target_ms && max_replica_lag_ms == o.max_replica_lag_ms &&
           jobs == o.jobs;
  }
};

class Pacer {
 public:
  Pacer(const state::StateStore& state, const Options& options, Progress* progress);

  // Waits until a batch may run and sets *out to the settings it runs with;
  // `replicas` false waits only while paused (before the tables are loaded).
  // While it waits it calls `on_wait` with the reason at each poll, e.g.
  // "paused by `pleat pause` (host h pid 7)" or the replica's lag, and once
  // with "" when it goes on after waiting. Returns (Ok) early once `stop` is
  // set; fails when the lease is lost or the server does.
  Status Wait(pg::Connection* conn, const std::atomic<bool>& stop, bool replicas,
              const std::function<Status(const std::string&)>& on_wait, Settings* out);
  // The settings the last Wait of any worker returned (the flags before any).
  Settings current() const;

 private:
  Status Refresh(pg::Connection* conn, Settings* out);
  void LogChange(const Settings& before, const Settings& after) const;

  const state::StateStore& state_;
  const Options& options_;
  Progress* progress_;
  Throttle throttle_;
  mutable std::mutex mu_;
  Settings current_;
  bool recorded_ = false;  // current_ is in the control row
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_PACER_H_
