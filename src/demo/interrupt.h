#ifndef PLEAT_DEMO_INTERRUPT_H_
#define PLEAT_DEMO_INTERRUPT_H_
// Ctrl-C for `pleat demo`: while an InterruptGuard lives, SIGINT, SIGTERM,
// SIGHUP and SIGPIPE (`pleat demo | head`) only set a flag, so the demo stops
// its writers and its private server on the way out instead of leaving them
// running. The default action comes back at the first signal, so a second
// Ctrl-C still kills at once. One guard at a time; CheckInterrupt() and
// Pause() may be called from any thread.

#include <signal.h>

#include "status.h"

namespace pleat::demo {

class InterruptGuard {
 public:
  InterruptGuard();  // clears the flag and installs the handlers
  ~InterruptGuard();  // restores the previous handlers
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
  struct sigaction old_[4] = {};
};

// Ok, or the Status of an interrupted demo once a signal arrived.
Status CheckInterrupt();
// Sleeps `ms` in 50 ms slices; returns early with CheckInterrupt()'s failure.
Status Pause(int ms);

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_INTERRUPT_H_
