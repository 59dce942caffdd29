#ifndef PLEAT_BACKFILL_WORKER_POOL_H_
#define PLEAT_BACKFILL_WORKER_POOL_H_
// WorkerPool: the threads of one backfill run, following a --jobs that `pleat
// tune` may change while it runs. Worker 0 is the thread that calls Run() (it
// works on the command's own connection). Follow(n) starts workers while fewer
// than n run and parts are left untaken; a worker asks Keep(id) before it takes
// its next part, which says no while more than n run, so a lowered --jobs stops
// workers after the part they are on (worker 0 always stays). Run() returns
// once every worker has ended, those started meanwhile too. Thread-safe.

#include <cstddef>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pleat::backfill {

class WorkerPool {
 public:
  // `body(id)` is one worker's loop; `untaken()` counts the parts no worker took yet.
  WorkerPool(std::function<void(int id)> body, std::function<size_t()> untaken)
      : body_(std::move(body)), untaken_(std::move(untaken)) {}
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts workers up to `jobs`, runs worker 0 on this thread and joins them all.
  void Run(int jobs);
  // The --jobs in force now: starts workers while fewer run and parts are left.
  void Follow(int jobs);
  // Whether worker `id` may take another part; false counts it out.
  bool Keep(int id);

 private:
  void Body(int id);
  std::function<void(int)> body_;
  std::function<size_t()> untaken_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::set<int> counted_out_;
  int wanted_ = 1, running_ = 0, next_id_ = 0;
};

}  // namespace pleat::backfill

#endif  // PLEAT_BACKFILL_WORKER_POOL_H_
