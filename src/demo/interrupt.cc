#include "demo/interrupt.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace pleat::demo {
namespace {

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted = true; }

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = false;
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &sa, &old_[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &old_[i], nullptr);
}

Status CheckInterrupt() {
  if (!g_interrupted) return Status::Ok();
  return Status::Invalid("the demo was interrupted; its writers and server are stopped",
                         "run `pleat demo` again to see it to the end");
}

Status Pause(int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    Status s = CheckInterrupt();
    if (!s.ok()) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return CheckInterrupt();
}

}  // namespace pleat::demo
