#ifndef PLEAT_TESTS_REPLICA_REPLICA_PAIR_H_
#define PLEAT_TESTS_REPLICA_REPLICA_PAIR_H_
// ReplicaPair: a throwaway primary and a streaming hot standby of it, both on
// 127.0.0.1 (pg_basebackup -R over loopback; the standby reports itself as
// "standby1" in pg_stat_replication), in one temporary directory, as the
// `postgres` user when the tests run as root. Start() fails the test when a
// server does not come up; the destructor stops both and removes the directory.
// For tests of the replica lag throttle, reads on the standby and failover.

#include <string>

#include "status.h"

namespace pleat::testing {

class ReplicaPair {
 public:
  ReplicaPair() = default;
  ~ReplicaPair();
  ReplicaPair(const ReplicaPair&) = delete;
  ReplicaPair& operator=(const ReplicaPair&) = delete;

  // initdb, start the primary, create database `dbname` there, base-back it up
  // into the standby and start that; returns once the standby streams.
  Status Start(const std::string& dbname);
  // Stops the primary at once (as a crash would).
  Status StopPrimary();
  // Promotes the standby and waits until it accepts writes.
  Status Promote();

  std::string PrimaryUrl() const { return Url(primary_port_); }
  std::string StandbyUrl() const { return Url(standby_port_); }

 private:
  Status Run(const std::string& command, const std::string& what) const;
  std::string Url(int port) const;
  std::string bin_, dir_, dbname_;
  int primary_port_ = 0, standby_port_ = 0;
};

}  // namespace pleat::testing

#endif  // PLEAT_TESTS_REPLICA_REPLICA_PAIR_H_
