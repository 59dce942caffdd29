#include "backfill/throttle.h"

#include "pg/quote.h"

namespace pleat::backfill {

// A replica whose lag this role may not see has a NULL state (the details of
// pg_stat_replication need pg_read_all_stats); such a row sorts last and only
// comes back when no visible replica lags.
Status Throttle::Check(pg::Connection* conn, int max_lag_ms, const std::function<void(const std::string&)>& warn,
                       std::string* reason) {
  reason->clear();
  if (max_lag_ms <= 0) return Status::Ok();
  pg::Result res;
  Status s = conn->ExecParams(
      "SELECT coalesce(application_name, ''), state IS NULL, round(extract(epoch FROM replay_lag)::numeric, 1)"
      " FROM " + pg::QualifiedName(options_.lag_schema, options_.lag_view) +
          " WHERE state IS NULL OR (state = 'streaming' AND replay_lag > $1::int * interval '1 millisecond')"
          " ORDER BY state IS NULL, replay_lag DESC LIMIT 1",
      {std::to_string(max_lag_ms)}, &res);
  if (!s.ok()) return s.WithContext("reading replica lag");
  if (res.rows() == 0) return Status::Ok();
  if (res.Get(0, 1) == "t") {
    if (!warned_.exchange(true))
      warn("  cannot read the replay lag of a replica: this role needs pg_read_all_stats (or pg_monitor)"
           " for --max-replica-lag to work; backfilling without it");
    return Status::Ok();
  }
  int limit = max_lag_ms;
  *reason = "replica \"" + res.Get(0, 0) + "\" replays " + res.Get(0, 2) + " s behind (--max-replica-lag " +
            (limit % 1000 ? std::to_string(limit) + " ms)" : std::to_string(limit / 1000) + " s)");
  return Status::Ok();
}

}  // namespace pleat::backfill
