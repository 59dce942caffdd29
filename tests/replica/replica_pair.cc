#include "replica/replica_pair.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "pg/connection.h"
#include "pg/throwaway_server.h"

namespace pleat::testing {
namespace {

namespace fs = std::filesystem;

// fsync off: throwaway clusters. The standby reports every second (not 10 s),
// so pg_stat_replication's replay_lag follows a paused replay closely.
std::string ServerOptions(const std::string& dir, int port) {
  return "-p " + std::to_string(port) + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
         " -c full_page_writes=off -c max_connections=60 -c wal_receiver_status_interval=1s";
}

}  // namespace

ReplicaPair::~ReplicaPair() {
  if (dir_.empty()) return;
  for (const char* node : {"primary", "standby"})
    (void)Run(bin_ + "/pg_ctl -D " + dir_ + "/" + node + " -m immediate -w stop >/dev/null 2>&1", "stop");
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Status ReplicaPair::Run(const std::string& command, const std::string& what) const {
  std::string cmd = geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  if (std::system(cmd.c_str()) != 0)
    return Status::Database(what + " failed; logs in " + dir_, "58000", "see the server logs there");
  return Status::Ok();
}

std::string ReplicaPair::Url(int port) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/" + dbname_;
}

Status ReplicaPair::Start(const std::string& dbname) {
  dbname_ = dbname;
  bin_ = pg::ServerBinaries("pg_basebackup");
  char tmpl[] = "/tmp/pleat-replica.XXXXXX";
  if (!mkdtemp(tmpl)) return Status::Database("cannot create a temporary directory", "58000");
  dir_ = tmpl;
  if (geteuid() == 0 && std::system(("chown postgres: " + dir_).c_str()) != 0)
    return Status::Database("cannot give " + dir_ + " to postgres", "58000");
  primary_port_ = pg::FreeLoopbackPort();
  Status s = Run(bin_ + "/initdb -D " + dir_ + "/primary -A trust -U postgres -E UTF8 >" + dir_ + "/initdb.log 2>&1",
                 "initdb");
  if (s.ok())
    s = Run(bin_ + "/pg_ctl -D " + dir_ + "/primary -l " + dir_ + "/primary.log -w -o \"" +
                ServerOptions(dir_, primary_port_) + "\" start >/dev/null 2>&1",
            "starting the primary");
  if (s.ok()) s = Run(bin_ + "/createdb -h 127.0.0.1 -p " + std::to_string(primary_port_) + " -U postgres " + dbname,
                      "createdb");
  if (s.ok())
    s = Run(bin_ + "/pg_basebackup -h 127.0.0.1 -p " + std::to_string(primary_port_) + " -U postgres -D " + dir_ +
                "/standby -R -X stream -c fast >" + dir_ + "/basebackup.log 2>&1",
            "pg_basebackup");
  standby_port_ = pg::FreeLoopbackPort();
  if (s.ok())
    s = Run(bin_ + "/pg_ctl -D " + dir_ + "/standby -l " + dir_ + "/standby.log -w -o \"" +
                ServerOptions(dir_, standby_port_) + " -c cluster_name=standby1\" start >/dev/null 2>&1",
            "starting the standby");
  pg::Connection primary;
  if (s.ok()) s = pg::Connection::Open(PrimaryUrl(), &primary);
  for (int i = 0; s.ok(); ++i) {
    std::string streaming;
    s = primary.QueryValue("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", &streaming);
    if (s.ok() && streaming == "1") return s;
    if (i == 300) return Status::Database("the standby does not stream after 30 s; logs in " + dir_, "58000");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return s;
}

Status ReplicaPair::StopPrimary() {
  return Run(bin_ + "/pg_ctl -D " + dir_ + "/primary -m immediate -w stop >/dev/null 2>&1", "stopping the primary");
}

Status ReplicaPair::Promote() {
  return Run(bin_ + "/pg_ctl -D " + dir_ + "/standby -w promote >/dev/null 2>&1", "promoting the standby");
}

}  // namespace pleat::testing
