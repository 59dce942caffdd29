#ifndef PLEAT_DEMO_DATABASE_H_
#define PLEAT_DEMO_DATABASE_H_
// DemoDatabase: where `pleat demo` runs. Without a URL it starts a private
// PostgreSQL (pg::ThrowawayServer) and uses its `public` schema, with pleat's
// state in `pleat`. With a URL it uses that database but touches only schemas
// of its own: `pleat_demo` for the tables, `pleat_demo_state` for pleat's state
// and the version schemas `pleat_demo_<migration>`, all dropped first when
// present (it refuses to drop a `pleat_demo` that it did not create). The
// destructor stops the private server and deletes its files, on every path.
// Not copyable; one thread.

#include <memory>
#include <string>
#include <vector>

#include "pg/throwaway_server.h"
#include "status.h"

namespace pleat::demo {

class DemoDatabase {
 public:
  DemoDatabase() = default;
  DemoDatabase(const DemoDatabase&) = delete;
  DemoDatabase& operator=(const DemoDatabase&) = delete;

  // `url` "" starts a private server. `migrations` names the demo's migrations,
  // whose version schemas are dropped with the rest.
  Status Open(const std::string& url, const std::vector<std::string>& migrations);

  bool private_server() const { return server_ != nullptr; }
  // The private server's directory ("" with a URL).
  std::string server_dir() const { return server_ ? server_->dir() : ""; }
  const std::string& conninfo() const { return conninfo_; }
  const std::string& schema() const { return schema_; }
  const std::string& state_schema() const { return state_schema_; }
  // The version schema of migration `name` in the demo's schema.
  std::string VersionSchema(const std::string& name) const;

 private:
  Status ResetSchemas(const std::vector<std::string>& migrations);

  std::unique_ptr<pg::ThrowawayServer> server_;
  std::string conninfo_;
  std::string schema_ = "public";
  std::string state_schema_ = "pleat";
};

}  // namespace pleat::demo

#endif  // PLEAT_DEMO_DATABASE_H_
