#ifndef PLEAT_BACKFILL_CHECKPOINTS_H_
#define PLEAT_BACKFILL_CHECKPOINTS_H_
// Checkpoints: the backfill's rows in the state schema. <state>.backfill holds
// one row per table: the rows estimate, rows_done (summed over the table's
// parts), done, and the figures `status` shows. A table that is not split
// keeps its checkpoint there (last_key); a table split for parallel workers
// (table_split.h) has one row per part in <state>.backfill_parts instead, each
// with its own checkpoint. A table's row and its parts are made in one
// transaction at its first run, so every later run finds the same split,
// whatever its --jobs. Save() runs inside the batch's transaction, so a batch
// and its checkpoint commit together. One per backfill run; const methods,
// safe from several workers, each passing its own connection.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::backfill {

// One unit of a worker's work: a whole table, or one part of a split table.
struct Part {
  int number = 0;        // 1, 2, ... in key order; 0: the whole table (not split)
  nlohmann::json last;   // TableWalk checkpoint where the next batch starts; null: the start
  long long rows_done = 0;
  bool done = false;
};

struct TableCheckpoints {
  long long rows_done = 0;  // summed over the parts
  long long rows_total = 0;
  bool done = false;
  std::vector<Part> parts;  // one Part numbered 0 when the table is not split
};

// What a committed batch did, for the table's row.
struct BatchFigures {
  long long rows = 0;             // rows the batch wrote
  int batch_rows = 0;             // the size it was given
  double rows_per_second = 0;     // the table's rate over this run, all parts together
};

class CheckpointStore {
 public:
  CheckpointStore(const state::StateStore& state, std::string migration)
      : state_(state), migration_(std::move(migration)) {}

  // Reads a table's row and parts; *found is false when the table has none yet.
  Status Load(pg::Connection* conn, const std::string& table, TableCheckpoints* out, bool* found) const;
  // Creates the table's row and, when `starts` holds two or more first
  // checkpoints, one part for each, all in one transaction.
  Status Create(pg::Connection* conn, const std::string& table, long long rows_total,
                const std::vector<nlohmann::json>& starts) const;
  // Moves `part` on to `next` (null: the part is done). REQUIRES: inside the
  // batch's transaction. The table's row is updated last (its row lock is the
  // only one parts share, held until the commit right after), and the last
  // batch of a part marks the table done when no other part is left.
  Status Save(pg::Connection* conn, const std::string& table, const Part& part, const nlohmann::json& next,
              const BatchFigures& figures) const;
  // Why the table's backfill waits, for `status`; the next Save clears it.
  Status SetThrottled(pg::Connection* conn, const std::string& table, const std::string& reason) const;

 private:
  std::vector<std::optional<std::string>> Key(const std::string& table) const {
    return {state_.target_schema(), migration_, table};
  }
  Status LoadParts(pg::Connection* conn, const std::string& table, TableCheckpoints* out) const;

  const state::StateStore& state_;
  std::string migration_;
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_CHECKPOINTS_H_
