#ifndef PLEAT_PG_CONNECTION_H_
#define PLEAT_PG_CONNECTION_H_
// pg::Connection owns one libpq connection (closed in the destructor). Move-only;
// one thread at a time. Every call returns a Status; a server error becomes a
// Status carrying its SQLSTATE, so callers can retry lock timeouts (55P03)
// without matching text. Notices from the server are dropped.

#include <optional>
#include <string>
#include <vector>

#include "pg/result.h"
#include "status.h"

struct pg_conn;

namespace pleat::pg {

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects with a URL or "key=value" string; an empty `conninfo` uses libpq's
  // PG* environment variables and defaults, exactly as psql does.
  static Status Open(const std::string& conninfo, Connection* out);

  bool is_open() const { return conn_ != nullptr; }
  // Runs one or more statements with no parameters. `out` may be null.
  Status Exec(const std::string& sql, Result* out = nullptr);
  // Runs one statement with text parameters ($1, $2, ...); nullopt is SQL NULL.
  Status ExecParams(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                    Result* out = nullptr);
  // Convenience: the first column of the first row, or "" when there is none.
  Status QueryValue(const std::string& sql, std::string* value,
                    const std::vector<std::optional<std::string>>& params = {});
  // The server's process id for this connection (for pg_cancel_backend in tests).
  int BackendPid() const;
  // The server's version as a number (150004 for 15.4), 0 when not connected.
  int ServerVersion() const;

 private:
  Status Check(pg_result* res, const std::string& sql, Result* out);
  pg_conn* conn_ = nullptr;
};

}  // namespace pleat::pg

#endif  // PLEAT_PG_CONNECTION_H_
