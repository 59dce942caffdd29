#ifndef PLEAT_BACKFILL_BACKFILL_H_
#define PLEAT_BACKFILL_BACKFILL_H_
// Backfill: writes the new columns of existing rows with set-based UPDATEs over
// key ranges (primary key, else a unique NOT NULL key, else one pass by ctid),
// one batch per transaction, with the checkpoint committed in the same
// transaction, so a killed backfill resumes after its last committed batch.
// The UPDATEs write only the added columns, which no sync trigger listens to,
// so the triggers do not run for the backfill's own writes.
// Batches are sized toward BackfillOptions::target_ms (BatchSizer), retried
// smaller after a lock timeout, and paused while a replica lags (Throttle).
// Up to BackfillOptions::jobs workers run at once, each on its own connection
// (the first on `conn`), each taking a whole table or, for a large table when
// there are more workers than tables left, one part of it (table_split.h),
// until none is left. The first failure stops the others after the batch they
// have in flight, and is returned.
// REQUIRES: the sync triggers are installed, so rows written meanwhile are kept
// in step by them.

#include <string>

#include <nlohmann/json.hpp>

#include "options.h"
#include "pg/connection.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::backfill {

// `spec` is the array PlanSync produced: [{table, set: [{column, expression, name}]}].
Status Run(pg::Connection* conn, const state::StateStore& state, const Options& options,
           const std::string& migration, const nlohmann::json& spec);

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_BACKFILL_H_
