#ifndef PLEAT_STATE_LEASE_H_
#define PLEAT_STATE_LEASE_H_
// Lease: the row of <state schema>.lease that says which pleat process works on
// a target schema. It replaces a session advisory lock, which a transaction
// pooler kept held by a pooled server connection after pleat exited.
//  - Taken with one atomic INSERT ... ON CONFLICT DO UPDATE ... WHERE the held
//    lease is stale: expired, or its holder's backend (the command connection)
//    is gone, as after kill -9 on a direct connection.
//  - Renewed by a heartbeat thread on a connection of its own, every ttl/3, so
//    a step that runs for hours (an index build, a long lock wait) keeps it.
//  - Released (row deleted) when the Lease is destroyed.
//  - Lost when another pleat took it over (or no renewal succeeded for a whole
//    ttl): the heartbeat cancels the command connection's statement, Held()
//    fails from then on, and the journal insert of every step checks the token
//    (state_store.h), so the old holder stops before its next step.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "pg/connection.h"
#include "status.h"

namespace pleat::state {

class Lease {
 public:
  static constexpr std::chrono::milliseconds kDefaultTtl{30000};
  Lease(std::string state_schema, std::string target_schema, std::chrono::milliseconds ttl = kDefaultTtl);
  ~Lease();  // releases
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Takes the lease for `command`; `main` is the connection the command works
  // on (its backend tells a live holder from a dead one). Renewals run on
  // `heartbeat`. Fails kBusy naming the holder when another pleat holds it.
  Status Acquire(pg::Connection* main, pg::Connection heartbeat, const std::string& command);
  // Ok while this process holds the lease; once lost, a kBusy error that says so.
  Status Held() const;
  // Deletes the row (when still ours) and stops the heartbeat. Idempotent.
  void Release();
  const std::string& token() const { return token_; }

 private:
  void Beat();
  std::string Table() const;

  std::string state_schema_, target_schema_;
  std::chrono::milliseconds ttl_;
  std::string token_;
  int main_backend_pid_ = 0;
  pg::Connection heartbeat_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool lost_ = false;
  std::string lost_reason_;
  std::thread thread_;
};

// This machine's host name, as the lease (and the control row) record it.
std::string HostName();

// SQL that is true when the lease row `alias` still has a live holder: not
// expired and its command connection's backend still there.
std::string LeaseLiveSql(const std::string& alias);

// The holder of the target schema's lease as `status --json` shows it
// ({command, host, pid, backend_pid, started_at, heartbeat_at, expires_at}),
// or null when no live pleat holds it (none, or a stale row of a dead one).
Status ReadLeaseHolder(pg::Connection* conn, const std::string& state_schema, const std::string& target_schema,
                       nlohmann::json* out);

}  // namespace pleat::state

#endif  // PLEAT_STATE_LEASE_H_
