#ifndef PLEAT_PG_THROWAWAY_SERVER_H_
#define PLEAT_PG_THROWAWAY_SERVER_H_
// ThrowawayServer: a private PostgreSQL cluster in a temporary directory
// ($TMPDIR, else /tmp), for tests and `pleat demo`. Start() runs initdb and pg_ctl (as the `postgres`
// system user when running as root), listening only on a Unix socket in that
// directory on a free port. The destructor stops the server and deletes the
// directory, unless Detach() let it outlive this object (`pleat sandbox`);
// Attach() takes such a cluster back to stop it. Not copyable; one instance per cluster. The server is the newest
// under /usr/lib/postgresql, or the one whose bin directory PGTMP_BIN names.

#include <string>

#include "status.h"

namespace pleat::pg {

// A TCP port on 127.0.0.1 that nobody listens on right now.
int FreeLoopbackPort();

// The bin directory of the server to use: PGTMP_BIN when set (another major
// version, e.g. from scripts/install-pg-versions.sh), else the newest Debian
// server that has the program `needed`; "" when there is none.
std::string ServerBinaries(const std::string& needed);

class ThrowawayServer {
 public:
  ThrowawayServer() = default;
  ~ThrowawayServer();
  ThrowawayServer(const ThrowawayServer&) = delete;
  ThrowawayServer& operator=(const ThrowawayServer&) = delete;

  Status Start();
  // Stops the server (immediate shutdown) and removes its files. Idempotent.
  void Stop();
  // Stops and starts the same cluster again, keeping its data (for crash tests).
  Status Restart();

  // Leaves the running cluster alone: the destructor will not stop it.
  void Detach() { dir_.clear(); }
  // Takes over a detached cluster (its bin directory, directory and port), so
  // Stop() or the destructor stops it and removes its files.
  void Attach(const std::string& bin_dir, const std::string& dir, int port);

  // A libpq URL for database `dbname` as the superuser `postgres`.
  std::string Url(const std::string& dbname = "postgres") const;
  const std::string& dir() const { return dir_; }
  const std::string& bin_dir() const { return bin_dir_; }
  int port() const { return port_; }

 private:
  Status RunAsOwner(const std::string& command, const std::string& what) const;
  Status StartServer();
  std::string bin_dir_;
  std::string dir_;
  int port_ = 0;
};

}  // namespace pleat::pg

#endif  // PLEAT_PG_THROWAWAY_SERVER_H_
