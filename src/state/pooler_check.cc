#include "state/pooler_check.h"

#include <unistd.h>

namespace pleat::state {

Status RefuseTransactionPooler(pg::Connection* main, pg::Connection* other) {
  std::string probe = std::to_string(getpid()) + "-" + std::to_string(main->BackendPid());
  pg::Result first, seen;
  std::string last;
  Status s = main->ExecParams(
      "SELECT pg_catalog.pg_backend_pid(), pg_catalog.set_config('pleat.pooler_probe', $1, false)", {probe}, &first);
  if (s.ok())
    s = other->Exec("SELECT pg_catalog.pg_backend_pid(), pg_catalog.current_setting('pleat.pooler_probe', true)",
                    &seen);
  if (s.ok()) s = main->QueryValue("SELECT pg_catalog.pg_backend_pid()", &last);
  if (!s.ok()) return s.WithContext("checking the connection path for a transaction pooler");
  std::string main_pid = first.Get(0, 0), other_pid = seen.Get(0, 0);
  std::string sign;
  if (last != main_pid)
    sign = "one connection ran its transactions on server backends " + main_pid + " and then " + last;
  else if (other_pid == main_pid)
    sign = "two connections ran on one server backend (" + main_pid + ")";
  else if (!seen.IsNull(0, 1) && seen.Get(0, 1) == probe)
    sign = "a setting made on one connection showed on another";
  if (sign.empty()) return Status::Ok();
  return Status::Invalid(
      "pleat is connected through a transaction pooler (such as PgBouncer with pool_mode = transaction, or a "
      "managed pooler in transaction mode): " + sign + "; pleat needs a session of its own and changed nothing",
      "run pleat on a direct connection to the primary: give --url of the PostgreSQL server itself (its host and "
      "port, not the pooler's); applications may stay on the pooler");
}

}  // namespace pleat::state
