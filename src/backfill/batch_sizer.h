#ifndef PLEAT_BACKFILL_BATCH_SIZER_H_
#define PLEAT_BACKFILL_BATCH_SIZER_H_
// BatchSizer: how many rows the next backfill batch of one table takes. It aims
// each batch's transaction at a time target (the rows it holds locked are held
// that long, so the target is capped at the lock timeout), starts small, grows
// at most 4x per batch, shrinks at once to what the last batch's speed allows,
// and halves after a lock timeout. Always within [min_rows, max_rows]. Pure
// logic, one per table walk; not thread-safe.

namespace pleat::backfill {

class BatchSizer {
 public:
  // REQUIRES: 1 <= min_rows <= max_rows, target_ms >= 1.
  BatchSizer(int min_rows, int max_rows, int target_ms);

  int rows() const { return rows_; }
  // A batch of `rows` rows committed after `ms` milliseconds.
  void Done(long long rows, double ms);
  // A new time target (`pleat tune --backfill-target`); the next Done() sizes toward it.
  void SetTarget(int target_ms) { target_ms_ = target_ms; }
  // The batch hit the lock timeout: halve. False when already at min_rows.
  bool ShrinkAfterLockTimeout();

 private:
  static constexpr int kFirstRows = 1000;
  static constexpr int kMaxGrowth = 4;
  int min_rows_, max_rows_, target_ms_;
  int rows_;
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_BATCH_SIZER_H_
