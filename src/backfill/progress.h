#ifndef PLEAT_BACKFILL_PROGRESS_H_
#define PLEAT_BACKFILL_PROGRESS_H_
// Progress: how people see a running backfill. Every table's worker reports its
// numbers here; on a terminal (BackfillOptions::bars set) they are bars redrawn
// in place, one per table, at most 4 times a second; elsewhere plain lines
// through Options::log every few seconds. Lines for people go through Log() so
// they never tear the bars. Thread-safe; one per backfill run. A table split
// into parts shows as one bar: its workers add up their numbers in a
// TableTally, which hands Progress the table's sums.

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "options.h"

namespace pleat::backfill {

struct TableProgress {
  std::string table;
  long long rows_done = 0;
  long long rows_total = 0;      // an estimate; rows_done may pass it
  double rows_per_second = 0;    // over this run so far
  std::string throttled;         // why it waits; "" when it does not
};

// Seconds left at the current rate; -1 when unknown.
long long EtaSeconds(const TableProgress& p);
// "t  [#####-----]  50%  500/1000 rows  120 rows/s  ETA 4s" (name padded to `name_width`).
std::string FormatBar(const TableProgress& p, size_t name_width);
// "backfilled "t": 500 of about 1000 rows (50%), 120 rows/s, ETA 4s".
std::string FormatLine(const TableProgress& p);

// One table's numbers over its parts, for the workers backfilling them at once.
// Thread-safe; one per table per backfill run.
class TableTally {
 public:
  // `parts` is how many parts this run backfills (those not done yet).
  TableTally(std::string table, long long rows_done, long long rows_total, int parts);

  // A part's worker begins; the rate counts from the first one.
  void PartStarted();
  // A part committed a batch of `rows` rows; returns the table's numbers now.
  TableProgress Add(long long rows);
  // A part waits for replicas ("" once it may go on); returns the table's numbers.
  TableProgress Throttled(const std::string& reason);
  // A part's worker ends (done or stopped); true for the last of this run.
  bool PartEnded();
  // Rows per second over this run, all parts together, counting `pending`
  // rows of a batch about to commit.
  double rows_per_second(long long pending = 0);

 private:
  double RateLocked(long long pending) const;
  std::mutex mu_;
  TableProgress p_;
  int parts_running_;
  long long run_rows_ = 0;  // rows written by this run (not by earlier, interrupted ones)
  std::chrono::steady_clock::time_point run_start_{};  // when its first part began
};

class Progress {
 public:
  explicit Progress(const Options& options) : options_(options) {}

  void Log(const std::string& line);
  // Records a table's numbers; shows them when due.
  void Update(const TableProgress& p);
  // The table is done: its bar goes away.
  void Finish(const std::string& table);

 private:
  void ShowLocked(bool now);
  std::mutex mu_;
  const Options& options_;
  std::vector<TableProgress> tables_;
  std::chrono::steady_clock::time_point last_shown_{};
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_PROGRESS_H_
