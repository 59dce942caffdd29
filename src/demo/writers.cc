#include "demo/writers.h"

#include <chrono>
#include <random>

#include "demo/names.h"
#include "pg/quote.h"

namespace pleat::demo {

std::string AppWriter::Label() const { return config_.version == AppVersion::kOld ? "v1 (old)" : "v2 (new)"; }

std::string AppWriter::first_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_error_;
}

// v1 names its table bare and lets search_path find it; v2 qualifies every name.
std::string AppWriter::Table() const {
  return config_.version == AppVersion::kOld ? "users" : pg::QualifiedName(config_.version_schema, "users");
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

Status AppWriter::Insert(long long n) {
  Person p = PersonNumber(n);
  std::string email = (config_.version == AppVersion::kOld ? "v1-" : "v2-") + std::to_string(n) + "@example.com";
  if (config_.version == AppVersion::kOld)
    return conn_.ExecParams("INSERT INTO " + Table() + " (name, email) VALUES ($1, $2)", {p.Full(), email});
  return conn_.ExecParams("INSERT INTO " + Table() + " (first_name, last_name, email) VALUES ($1, $2, $3)",
                          {p.first, p.last, email});
}

Status AppWriter::Update(long long id, long long n) {
  Person p = PersonNumber(n);
  if (config_.version == AppVersion::kOld)
    return conn_.ExecParams("UPDATE " + Table() + " SET name = $1 WHERE id = $2", {p.Full(), std::to_string(id)});
  return conn_.ExecParams("UPDATE " + Table() + " SET first_name = $1, last_name = $2 WHERE id = $3",
                          {p.first, p.last, std::to_string(id)});
}

// Two writes in five are inserts, the rest rename an existing user.
void AppWriter::Loop() {
  std::mt19937_64 rng(config_.version == AppVersion::kOld ? 1 : 2);
  std::uniform_int_distribution<long long> pick_id(1, config_.update_ids > 0 ? config_.update_ids : 1);
  std::uniform_int_distribution<long long> pick_person(0, 1000000);
  while (!stop_) {
    bool insert = config_.update_ids <= 0 || rng() % 5 < 2;
    Status s = insert ? Insert(pick_person(rng)) : Update(pick_id(rng), pick_person(rng));
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
