#ifndef PLEAT_DEMO_DEMO_H_
#define PLEAT_DEMO_DEMO_H_
// RunDemo: `pleat demo`, a live expand/contract migration told step by step:
// the contracts split of examples/contracts/. It creates contracts (both fees
// in one row) through pleat, seeds it, starts app v1 writing, splits the fees
// into contract_clients and contract_workers with pleat while v1 writes,
// starts app v2 on the new version schema, checks that every contract has its
// client and worker rows with equal fees, retires v1, completes, and prints
// the totals. Runs on a private PostgreSQL unless options.engine.conninfo
// names a database (then only in schemas of its own, see database.h).
// Everything it starts (server, threads, temporary files) is stopped and
// removed on every path, including Ctrl-C. Fails with kCheckFailed when a
// write failed, a contract disagrees or a write was lost; with the underlying
// Status otherwise.

#include <ostream>

#include "options.h"
#include "status.h"

namespace pleat::demo {

struct DemoOptions {
  // Lock timeout and retries as for every command; conninfo "" starts a private
  // server. The demo sets schema, state_schema and log itself.
  Options engine;
  long long rows = 5000;  // contracts seeded before the migration
  std::ostream* out = nullptr;  // the story; REQUIRES: not null
};

Status RunDemo(const DemoOptions& options);

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_DEMO_H_
