#include "backfill/worker_pool.h"

namespace pleat::backfill {

void WorkerPool::Run(int jobs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = 1;
    next_id_ = 1;
  }
  Follow(jobs);
  Body(0);
  // A worker starts others only while it runs, so once the list is empty after
  // joining, no worker is left that could add one.
  for (;;) {
    std::thread t;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (threads_.empty()) return;
      t = std::move(threads_.back());
      threads_.pop_back();
    }
    t.join();
  }
}

void WorkerPool::Follow(int jobs) {
  std::lock_guard<std::mutex> lock(mu_);
  wanted_ = std::max(1, jobs);
  for (size_t started = 0; running_ < wanted_ && started < untaken_(); ++started) {
    ++running_;
    threads_.emplace_back(&WorkerPool::Body, this, next_id_++);
  }
}

bool WorkerPool::Keep(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (id == 0 || running_ <= wanted_) return true;
  --running_;
  counted_out_.insert(id);
  return false;
}

void WorkerPool::Body(int id) {
  body_(id);
  std::lock_guard<std::mutex> lock(mu_);
  if (!counted_out_.count(id)) --running_;
}

}  // namespace pleat::backfill
