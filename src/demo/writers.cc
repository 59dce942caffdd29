#include "demo/writers.h"

#include <chrono>
#include <random>

#include "pg/quote.h"
#include "pg/transaction.h"

namespace pleat::demo {

std::string AppWriter::Label() const { return config_.version == AppVersion::kOld ? "v1 (old)" : "v2 (new)"; }

std::string AppWriter::first_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_error_;
}

// v1 names its tables bare and lets search_path find them; v2 qualifies every name.
std::string AppWriter::Table(const char* table) const {
  return config_.version == AppVersion::kOld ? table : pg::QualifiedName(config_.version_schema, table);
}

Status AppWriter::Start() {
  Status s = pg::Connection::Open(config_.conninfo, &conn_);
  bool old = config_.version == AppVersion::kOld;
  // statement_timeout: a writer never hangs the demo, whatever goes wrong.
  std::string setup = "SET application_name = " + pg::QuoteLiteral(old ? "pleat demo app v1" : "pleat demo app v2") +
                      "; SET statement_timeout = '10s'";
  if (old) setup += "; SET search_path TO " + pg::QuoteIdent(config_.version_schema);
  if (s.ok()) s = conn_.Exec(setup);
  if (!s.ok()) return s.WithContext("app " + Label());
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void AppWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

namespace {

// Contract n's fees: any n gives a valid pair (both >= 0, two decimals).
std::string ClientFee(long long n) { return std::to_string(100 + n % 900) + ".50"; }
std::string WorkerFee(long long n) { return std::to_string(25 + n % 475) + ".25"; }

}  // namespace

Status AppWriter::Insert(long long n) {
  if (config_.version == AppVersion::kNew) return InsertWithChildren(n);
  return conn_.ExecParams("INSERT INTO " + Table("contracts") +
                              " (title, start_date, commission_fee_client, commission_fee_worker)"
                              " VALUES ($1, current_date, $2, $3)",
                          {"v1-" + std::to_string(n), ClientFee(n), WorkerFee(n)});
}

// The contract first, then its client and worker rows, which need its id.
Status AppWriter::InsertWithChildren(long long n) {
  pg::Result res;
  pg::Transaction tx;
  Status s = pg::Transaction::Begin(&conn_, &tx);
  if (s.ok())
    s = conn_.ExecParams("INSERT INTO " + Table("contracts") + " (title, start_date) VALUES ($1, current_date)"
                         " RETURNING id", {"v2-" + std::to_string(n)}, &res);
  std::string child = " (contract_id, commission_fee) VALUES ($1, $2)";
  if (s.ok()) s = conn_.ExecParams("INSERT INTO " + Table("contract_clients") + child, {res.Get(0, 0), ClientFee(n)});
  if (s.ok()) s = conn_.ExecParams("INSERT INTO " + Table("contract_workers") + child, {res.Get(0, 0), WorkerFee(n)});
  return tx.Finish(s);
}

Status AppWriter::Update(long long id, long long n) {
  if (config_.version == AppVersion::kOld)
    return conn_.ExecParams("UPDATE " + Table("contracts") +
                                " SET commission_fee_client = $1, commission_fee_worker = $2 WHERE id = $3",
                            {ClientFee(n), WorkerFee(n), std::to_string(id)});
  return conn_.ExecParams("UPDATE " + Table("contract_workers") + " SET commission_fee = $1 WHERE contract_id = $2",
                          {WorkerFee(n), std::to_string(id)});
}

// Two writes in five are inserts, the rest change the fees of an existing contract.
void AppWriter::Loop() {
  std::mt19937_64 rng(config_.version == AppVersion::kOld ? 1 : 2);
  std::uniform_int_distribution<long long> pick_id(1, config_.update_ids > 0 ? config_.update_ids : 1);
  std::uniform_int_distribution<long long> pick_n(0, 1000000);
  while (!stop_) {
    bool insert = config_.update_ids <= 0 || rng() % 5 < 2;
    long long id = pick_id(rng), n = pick_n(rng);
    // No retry: v1 changing a contract's fees and v2 its worker's fee both lock
    // the contract first (planner/move_order.h) and wait for each other instead of
    // deadlocking, so any failed write is one the summary must report.
    Status s = insert ? Insert(n) : Update(id, n);
    if (s.ok()) {
      ++(insert ? inserts_ : updates_);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      if (errors_++ == 0) first_error_ = s.ToString();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(config_.pause_ms));
  }
}

}  // namespace pleat::demo
