#ifndef PLEAT_BACKFILL_TABLE_SPLIT_H_
#define PLEAT_BACKFILL_TABLE_SPLIT_H_
// Table splitting: when a backfill run has more workers (--jobs) than tables
// left, each large table (about 10 x the largest batch, --backfill-batch-size
// MAX, or more rows) is split into --jobs parts that workers backfill at the
// same time, each on its own connection with its own checkpoint. It is decided
// once, at the table's first run, and recorded (checkpoints.h).
// A part is given as its first TableWalk checkpoint, so its worker walks it as
// it would walk a table, and the parts neither overlap nor leave a gap:
//  - key walks: key ranges (k[i-1], k[i]]: {"upto": k1}, {"key": k1, "upto": k2},
//    ..., {"key": k[n-1]} (the last is open-ended, like a whole-table walk). The
//    k[i] are quantiles of a random sample of about 30,000 rows (TABLESAMPLE
//    BERNOULLI: one sequential read, ~0.1 s per million rows), so parts hold
//    about equal numbers of rows; any key, multi-column too;
//  - ctid walks: equal block ranges of the table as it was when the walk opened.

#include <vector>

#include <nlohmann/json.hpp>

#include "backfill/table_walk.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::backfill {

// How many parts a table of about `rows_total` rows gets: `jobs` when there
// are more jobs than `tables_left` and the table holds at least
// 10 x `max_batch_rows` rows; else 1 (not split).
int PartsFor(long long rows_total, int jobs, int tables_left, int max_batch_rows);

// Sets *starts to the first checkpoint of each part, in key (or block) order:
// `parts` of them, or fewer when the sample (or the table) is too small to
// tell more apart; fewer than two mean "do not split".
// REQUIRES: parts >= 2; `walk` is open.
Status SplitTable(pg::Connection* conn, const TableWalk& walk, int parts, long long rows_total,
                  std::vector<nlohmann::json>* starts);

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_TABLE_SPLIT_H_
