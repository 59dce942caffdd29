#include "pg/connection.h"

#include <libpq-fe.h>

namespace pleat::pg {
namespace {

void IgnoreNotice(void*, const PGresult*) {}

std::string FirstLine(const std::string& sql) {
  std::string line = sql.substr(0, sql.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_) PQfinish(conn_);
    conn_ = other.conn_;
    other.conn_ = nullptr;
  }
  return *this;
}

Status Connection::Open(const std::string& conninfo, Connection* out) {
  // A URL libpq cannot parse is the caller's mistake, not a failed connection.
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (!parsed) {
    std::string msg = error ? Trimmed(error) : "cannot be parsed";
    PQfreemem(error);
    return Status::Usage("the connection URL is malformed: " + msg,
                         "write it as postgresql://user@host:port/dbname or as key=value pairs (see libpq)");
  }
  PQconninfoFree(parsed);
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Database("cannot connect to PostgreSQL: " + msg, "08006",
                            "pass --url, set DATABASE_URL, or set PGHOST/PGPORT/PGUSER/PGDATABASE");
  }
  PQsetNoticeReceiver(conn, IgnoreNotice, nullptr);
  *out = Connection();
  out->conn_ = conn;
  return Status::Ok();
}

Status Connection::Check(PGresult* res, const std::string& sql, Result* out) {
  Result owned(res);
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    if (out) *out = std::move(owned);
    return Status::Ok();
  }
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = Trimmed(res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr);
  if (msg.empty()) msg = Trimmed(PQerrorMessage(conn_));
  std::string detail = Trimmed(res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr);
  if (!detail.empty()) msg += " (" + detail + ")";
  return Status::Database(msg + " in: " + FirstLine(sql), state ? state : "08006");
}

Status Connection::Exec(const std::string& sql, Result* out) {
  if (!conn_) return Status::Database("not connected", "08003");
  return Check(PQexec(conn_, sql.c_str()), sql, out);
}

Status Connection::ExecParams(const std::string& sql,
                              const std::vector<std::optional<std::string>>& params, Result* out) {
  if (!conn_) return Status::Database("not connected", "08003");
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return Check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0),
               sql, out);
}

Status Connection::QueryValue(const std::string& sql, std::string* value,
                              const std::vector<std::optional<std::string>>& params) {
  Result res;
  Status s = params.empty() ? Exec(sql, &res) : ExecParams(sql, params, &res);
  if (!s.ok()) return s;
  *value = res.rows() > 0 && res.columns() > 0 ? res.Get(0, 0) : "";
  return Status::Ok();
}

int Connection::BackendPid() const { return conn_ ? PQbackendPID(conn_) : 0; }

int Connection::ServerVersion() const { return conn_ ? PQserverVersion(conn_) : 0; }

}  // namespace pleat::pg
