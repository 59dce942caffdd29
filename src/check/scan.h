#ifndef PLEAT_CHECK_SCAN_H_
#define PLEAT_CHECK_SCAN_H_
// Scan: evaluates boolean probes ("this row violates X") and expressions that
// may raise over every row of one table (or a sample), in batches of blocks
// (backfill::TableWalk by ctid: no key index is read), each batch under a
// savepoint of the caller's read-only transaction. Batches start at batch_rows
// and grow toward a quarter second each (backfill::BatchSizer), so a table is
// read once, in a few dozen statements. A large batch that fails runs again in batch_rows batches, and
// one of those that raises is bisected by ctid down to the rows that raise, so
// one bad row neither aborts the scan nor hides the others.
// REQUIRES: the connection is inside a REPEATABLE READ transaction, so ctids
// stay valid and the block walk meets every row once. Not thread-safe; one scan per connection.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backfill/table_walk.h"
#include "pg/connection.h"
#include "status.h"

namespace pleat::check {

// `sql` is an expression over the image `v` (see ScanSpec::image).
struct Probe {
  std::string id;
  std::string sql;  // boolean; true marks the row (probes) or a value that must compute (sources)
};

struct ScanSpec {
  std::string schema, table;  // the physical table
  // "SELECT t.ctid AS \"_pleat_ctid\", ... FROM schema.table t"; the scan adds WHERE.
  std::string image;
  std::vector<Probe> probes;   // counted per row
  std::vector<Probe> sources;  // evaluated for every row; a raise is counted against its id
  long long sample_rows = 0;   // 0: every row
  int batch_rows = 1000;  // the first and smallest batch, and the size a failed batch is retried at
  std::function<void(const std::string&)> log;  // progress on large tables
};

// Rows a probe marked, or rows for which an expression raised (`messages`).
struct Hits {
  long long count = 0;
  std::vector<std::string> ctids;     // the first five
  std::vector<std::string> messages;  // the error of each example, for raises
};

struct ScanResult {
  long long rows = 0;                  // rows evaluated; -1: every row
  std::vector<std::string> sample;     // the sampled rows' ctids (sample_rows > 0)
  std::map<std::string, Hits> marked;  // by probe id
  std::map<std::string, Hits> raised;  // by source or probe id ("" when no single expression raises alone)
  // Set when the probes cannot run at all (an expression that is wrong for
  // every row, a statement timeout): the scan stopped there.
  Status unavailable;
};

// Fails only when the connection fails; everything about the data is in *out.
Status Scan(pg::Connection* conn, const ScanSpec& spec, ScanResult* out);

// "ctid = ANY('{...}'::tid[])": rows by ctid, for the image's WHERE.
std::string CtidIn(const std::vector<std::string>& ctids);

// "(\"id\")=(5)": the key of the row at `ctid` of `walk`'s table, for examples
// ("(ctid)=(...)" when it cannot be read). Runs under a savepoint.
std::string KeyOfRow(pg::Connection* conn, const backfill::TableWalk& walk, const std::string& ctid);

// Runs `sql` under a savepoint: on a server error the transaction stays usable.
Status Guarded(pg::Connection* conn, const std::string& sql, pg::Result* out);

}  // namespace pleat::check

#endif  // PLEAT_CHECK_SCAN_H_
