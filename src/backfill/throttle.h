#ifndef PLEAT_BACKFILL_THROTTLE_H_
#define PLEAT_BACKFILL_THROTTLE_H_
// Throttle: whether the backfill must pause because a streaming replica replays
// too far behind. Reads replay_lag from pg_stat_replication (or, in tests only,
// the view BackfillOptions names, which has the same columns), so it asks the
// primary about every replica at once. Stateless apart from a warned-once flag;
// safe to share between the workers, each passing its own connection.

#include <atomic>
#include <functional>
#include <string>

#include "options.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::backfill {

class Throttle {
 public:
  explicit Throttle(const BackfillOptions& options) : options_(options) {}

  // Sets *reason to why the backfill must wait, e.g. `replica "r1" replays 7.2 s
  // behind (--max-replica-lag 5 s)`, or to "" when it may go on (always "" when
  // max_lag_ms is 0; the limit in force may differ from the flag: `pleat tune`).
  // Calls `warn` once per run when the role may not read the lag of some replica.
  Status Check(pg::Connection* conn, int max_lag_ms, const std::function<void(const std::string&)>& warn,
               std::string* reason);

 private:
  const BackfillOptions& options_;
  std::atomic<bool> warned_{false};
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_THROTTLE_H_
