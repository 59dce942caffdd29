#include "state/lease.h"

#include <unistd.h>

#include <random>

#include <fmt/format.h>

#include "pg/quote.h"

namespace pleat::state {
namespace {

// A pleat killed a moment ago holds the lease until its backend notices and
// ends, a few milliseconds later: retry that long before saying busy.
constexpr int kAcquireAttempts = 40;  // 50 ms apart: about 2 s

std::string Interval(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " milliseconds"; }

std::string RandomToken() {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd());
  return fmt::format("{:016x}{:016x}", gen(), gen());
}

std::string Describe(const nlohmann::json& h) {
  return fmt::format("`pleat {}` from host {} pid {} (backend {}) since {}, last heartbeat {}",
                     h["command"].get<std::string>(), h["host"].get<std::string>(), h["pid"].get<long long>(),
                     h["backend_pid"].get<long long>(), h["started_at"].get<std::string>(),
                     h["heartbeat_at"].get<std::string>());
}

}  // namespace

std::string HostName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

std::string LeaseLiveSql(const std::string& l) {
  return "(" + l + ".expires_at > pg_catalog.now() AND EXISTS (SELECT FROM pg_catalog.pg_stat_activity a WHERE a.pid = " +
         l + ".backend_pid AND (a.backend_start IS NULL OR a.backend_start = " + l + ".backend_start)))";
}

Status ReadLeaseHolder(pg::Connection* conn, const std::string& state_schema, const std::string& target_schema,
                       nlohmann::json* out) {
  *out = nullptr;
  std::string table = pg::QualifiedName(state_schema, "lease"), exists;
  Status s = conn->QueryValue("SELECT to_regclass($1) IS NOT NULL", &exists, {table});
  if (!s.ok() || exists != "t") return s;  // a state schema of an older pleat
  pg::Result res;
  s = conn->ExecParams("SELECT command, host, pid, backend_pid, started_at::text, heartbeat_at::text, expires_at::text"
                       " FROM " + table + " l WHERE target_schema = $1 AND " + LeaseLiveSql("l"),
                       {target_schema}, &res);
  if (!s.ok() || res.rows() == 0) return s;
  *out = {{"command", res.Get(0, 0)},      {"host", res.Get(0, 1)},
          {"pid", std::stoll(res.Get(0, 2))}, {"backend_pid", std::stoll(res.Get(0, 3))},
          {"started_at", res.Get(0, 4)},   {"heartbeat_at", res.Get(0, 5)},
          {"expires_at", res.Get(0, 6)}};
  return s;
}

Lease::Lease(std::string state_schema, std::string target_schema, std::chrono::milliseconds ttl)
    : state_schema_(std::move(state_schema)), target_schema_(std::move(target_schema)), ttl_(ttl) {}

Lease::~Lease() { Release(); }

std::string Lease::Table() const { return pg::QualifiedName(state_schema_, "lease"); }

Status Lease::Acquire(pg::Connection* main, pg::Connection heartbeat, const std::string& command) {
  heartbeat_ = std::move(heartbeat);
  token_ = RandomToken();
  std::string sql =
      "INSERT INTO " + Table() + " AS l (target_schema, token, host, pid, command, backend_pid, backend_start,"
      " started_at, heartbeat_at, expires_at) SELECT $1, $2, $3, $4::int, $5, a.pid, a.backend_start, now(), now(),"
      " now() + $6::interval FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()"
      " ON CONFLICT (target_schema) DO UPDATE SET (token, host, pid, command, backend_pid, backend_start, started_at,"
      " heartbeat_at, expires_at) = (EXCLUDED.token, EXCLUDED.host, EXCLUDED.pid, EXCLUDED.command,"
      " EXCLUDED.backend_pid, EXCLUDED.backend_start, EXCLUDED.started_at, EXCLUDED.heartbeat_at, EXCLUDED.expires_at)"
      " WHERE NOT " + LeaseLiveSql("l") + " RETURNING l.backend_pid";
  std::string backend;
  for (int attempt = 0; attempt < kAcquireAttempts && backend.empty(); ++attempt) {
    if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Status s = main->QueryValue(sql, &backend, {target_schema_, token_, HostName(), std::to_string(getpid()), command,
                                               Interval(ttl_)});
    if (!s.ok()) return s.WithContext("taking the lease on schema \"" + target_schema_ + "\" in " + Table());
  }
  if (backend.empty()) {
    nlohmann::json holder;
    (void)ReadLeaseHolder(main, state_schema_, target_schema_, &holder);
    return Status::Busy("another pleat process is working on schema \"" + target_schema_ + "\"" +
                            (holder.is_null() ? "" : ": " + Describe(holder)),
                        "wait for it to finish (`pleat status` shows its progress), then run the command again");
  }
  main_backend_pid_ = std::stoi(backend);
  thread_ = std::thread([this] { Beat(); });
  return Status::Ok();
}

Status Lease::Held() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!lost_) return Status::Ok();
  return Status::Busy(lost_reason_, "this pleat stopped before its next step; `pleat status` shows which pleat works "
                                    "on the schema now");
}

void Lease::Beat() {
  auto last_renewed = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, ttl_ / 3, [this] { return stop_; })) {
    lock.unlock();
    std::string renewed, reason;
    Status s = heartbeat_.QueryValue("UPDATE " + Table() + " SET heartbeat_at = now(), expires_at = now() +"
                                     " $3::interval WHERE target_schema = $1 AND token = $2 RETURNING 1",
                                     &renewed, {target_schema_, token_, Interval(ttl_)});
    if (s.ok() && renewed == "1")
      last_renewed = std::chrono::steady_clock::now();
    else if (s.ok())
      reason = "another pleat process took over the lease on schema \"" + target_schema_ +
               "\" after this one's heartbeat missed its expiry";
    else if (std::chrono::steady_clock::now() - last_renewed >= ttl_)
      reason = "pleat could not renew its lease on schema \"" + target_schema_ + "\" for " + Interval(ttl_) +
               " (" + s.message() + "); another pleat may have taken it over";
    lock.lock();
    if (reason.empty()) continue;
    lost_ = true;
    lost_reason_ = reason;
    break;
  }
  // Once lost: cancel what the command connection runs (a backfill batch, a
  // lock wait) until the command ends. A cancel lands only on a running
  // statement, and the backfill runs batch after batch without a step check.
  while (lost_ && !wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
    lock.unlock();
    std::string ignored;
    (void)heartbeat_.QueryValue("SELECT pg_catalog.pg_cancel_backend($1::int)", &ignored,
                                {std::to_string(main_backend_pid_)});
    lock.lock();
  }
}

void Lease::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!heartbeat_.is_open()) return;
  if (!lost_ && main_backend_pid_)
    (void)heartbeat_.ExecParams("DELETE FROM " + Table() + " WHERE target_schema = $1 AND token = $2",
                                {target_schema_, token_});
  heartbeat_ = pg::Connection();
}

}  // namespace pleat::state
