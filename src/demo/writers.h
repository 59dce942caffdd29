#ifndef PLEAT_DEMO_WRITERS_H_
#define PLEAT_DEMO_WRITERS_H_
// AppWriter: one running instance of the demo application: a thread with its
// own connection that inserts contracts and changes commission fees, non-stop,
// until Stop(). The old version (v1) writes both fees in contracts through its
// version schema picked by search_path. The new version (v2) inserts a contract
// and then its contract_clients and contract_workers rows (one transaction, as
// an ORM's nested create does) and changes a worker's fee, through
// schema-qualified names and never sets search_path, as Prisma 7 does. Every
// write the server acknowledges is counted, and so is every failed one (the
// first message is kept); a failure does not stop the writer, and nothing is
// retried. Call Start() and Stop() from one thread; the counters may be read
// from any thread. The destructor stops and joins the thread.

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "pg/connection.h"
#include "status.h"

namespace pleat::demo {

enum class AppVersion { kOld, kNew };

struct WriterConfig {
  AppVersion version = AppVersion::kOld;
  std::string conninfo;
  std::string version_schema;  // the version schema this app version uses
  long long update_ids = 0;    // updates pick contracts 1..update_ids: rows that always exist
  int pause_ms = 2;            // between writes, like an app serving requests
};

class AppWriter {
 public:
  explicit AppWriter(WriterConfig config) : config_(std::move(config)) {}
  ~AppWriter() { Stop(); }
  AppWriter(const AppWriter&) = delete;
  AppWriter& operator=(const AppWriter&) = delete;

  // Connects (failing here, not on the thread) and starts writing.
  // REQUIRES: not started yet.
  Status Start();
  // Stops writing after the statement in flight and joins the thread. Idempotent.
  void Stop();

  long long writes() const { return inserts_ + updates_; }
  long long inserts() const { return inserts_; }
  long long updates() const { return updates_; }
  long long errors() const { return errors_; }
  std::string first_error() const;
  // "v1 (old)" or "v2 (new)", for narration.
  std::string Label() const;

 private:
  void Loop();
  Status Insert(long long n);
  Status InsertWithChildren(long long n);
  Status Update(long long id, long long n);
  // `table` as this version names it: bare for v1, schema-qualified for v2.
  std::string Table(const char* table) const;

  WriterConfig config_;
  pg::Connection conn_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> inserts_{0}, updates_{0}, errors_{0};
  mutable std::mutex mu_;
  std::string first_error_;  // guarded by mu_
};

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_WRITERS_H_
