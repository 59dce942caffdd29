#ifndef PLEAT_ENGINE_STEP_RUNNER_H_
#define PLEAT_ENGINE_STEP_RUNNER_H_
// StepRunner: runs the Steps of one phase of a migration, in order, skipping
// those the journal says are done. A transactional Step runs in one transaction
// together with its journal row, so it is done exactly once even if pleat dies.
// A CONCURRENTLY Step runs statement by statement; its statements are
// idempotent and an invalid index a failed build left is dropped before a retry.
// Every statement runs under lock_timeout; on a lock timeout the Step is rolled
// back and retried after a jittered pause, a bounded number of times, saying
// what it waits for. Complete's point of no return (Step::no_return) runs only
// after a dry run of the rest of the phase passed. Borrows the connection and
// the state store.

#include <functional>
#include <string>

#include "options.h"
#include "pg/connection.h"
#include "plan/plan.h"
#include "state/state_store.h"
#include "status.h"

namespace pleat::engine {

class StepRunner {
 public:
  StepRunner(pg::Connection* conn, state::StateStore* state, const Options& options, std::string migration);

  // Runs every step of `plan` not yet journaled under `phase`. Before running
  // a step marked no_return, dry-runs the steps from it on (DryRun) and stops
  // with its error, the no_return step not run, when the dry run fails.
  Status Run(const std::string& phase, const plan::Plan& plan);
  // Runs the transactional steps of `plan` from index `from` in one
  // transaction that is then rolled back, as Step::dry_run says, retrying on a
  // lock timeout as a step does. Changes nothing; its error names the step.
  Status DryRun(const plan::Plan& plan, size_t from);

 private:
  Status DryRunOnce(const plan::Plan& plan, size_t from);
  Status RunWithRetries(const std::string& phase, const plan::Step& step);
  Status Retry(const std::function<Status()>& attempt);
  Status RunOnce(const std::string& phase, const plan::Step& step);
  Status RunTransactional(const std::string& phase, const plan::Step& step, const std::vector<std::string>& sql);
  Status RunConcurrent(const std::string& phase, const plan::Step& step);
  std::string Blockers();

  pg::Connection* conn_;
  state::StateStore* state_;
  const Options& options_;
  std::string migration_;
};

}  // namespace pleat::engine

#endif  // PLEAT_ENGINE_STEP_RUNNER_H_
