#include "backfill/batch_sizer.h"

#include <algorithm>

namespace pleat::backfill {

BatchSizer::BatchSizer(int min_rows, int max_rows, int target_ms)
    : min_rows_(min_rows), max_rows_(max_rows), target_ms_(target_ms),
      rows_(std::clamp(kFirstRows, min_rows, max_rows)) {}

void BatchSizer::Done(long long rows, double ms) {
  // A batch shorter than asked (the table's end) says little about the speed;
  // so does one too fast to time.
  if (rows < rows_ / 2 || ms < 1) {
    if (ms < 1 && rows >= rows_) rows_ = std::min<long long>(max_rows_, 1LL * rows_ * kMaxGrowth);
    return;
  }
  double ideal = rows * target_ms_ / ms;
  double capped = std::min(ideal, 1.0 * rows_ * kMaxGrowth);
  rows_ = static_cast<int>(std::clamp<double>(capped, min_rows_, max_rows_));
}

bool BatchSizer::ShrinkAfterLockTimeout() {
  if (rows_ <= min_rows_) return false;
  rows_ = std::max(min_rows_, rows_ / 2);
  return true;
}

}  // namespace pleat::backfill
