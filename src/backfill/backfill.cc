#include "backfill/backfill.h"

#include <chrono>
#include <thread>

#include "backfill/batch_statement.h"
#include "backfill/table_walk.h"
#include "pg/quote.h"

namespace pleat::backfill {
namespace {

struct Checkpoint {
  nlohmann::json last = nullptr;
  long long rows_done = 0;
  bool done = false;
};

class TableBackfill {
 public:
  TableBackfill(pg::Connection* conn, const engine::StateStore& state, const engine::Options& options,
                std::string migration, const nlohmann::json& spec)
      : conn_(conn), state_(state), options_(options), migration_(std::move(migration)), spec_(spec),
        table_(spec.at("table").get<std::string>()) {}

  Status Run();

 private:
  Status LoadCheckpoint(Checkpoint* cp);
  Status RunBatch(const std::string& where, const nlohmann::json& next, long long* rows);
  Status ExplainFailure(const std::string& where, const Status& failure);

  pg::Connection* conn_;
  const engine::StateStore& state_;
  const engine::Options& options_;
  std::string migration_;
  const nlohmann::json& spec_;
  std::string table_;
  TableWalk walk_;
};

Status TableBackfill::LoadCheckpoint(Checkpoint* cp) {
  std::string table = state_.Name("backfill");
  Status s = conn_->ExecParams(
      "INSERT INTO " + table + " (target_schema, migration, table_name, rows_total) SELECT $1, $2, $3,"
      " greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = $4::regclass ON CONFLICT DO NOTHING",
      {state_.target_schema(), migration_, table_, walk_.qualified()});
  pg::Result res;
  if (s.ok())
    s = conn_->ExecParams("SELECT last_key::text, rows_done, done FROM " + table +
                              " WHERE target_schema = $1 AND migration = $2 AND table_name = $3",
                          {state_.target_schema(), migration_, table_}, &res);
  if (!s.ok() || res.rows() == 0) return s;
  if (!res.IsNull(0, 0)) cp->last = nlohmann::json::parse(res.Get(0, 0));
  cp->rows_done = std::stoll(res.Get(0, 1));
  cp->done = res.Get(0, 2) == "t";
  return Status::Ok();
}

// One batch and its checkpoint commit together: a crash loses at most the batch in flight.
Status TableBackfill::RunBatch(const std::string& where, const nlohmann::json& next, long long* rows) {
  pg::Result res;
  // synchronous_commit off is safe here: a batch and its checkpoint commit
  // together, so a crash that loses the last commits loses both, and the
  // resumed backfill redoes those batches. It saves a WAL flush per batch.
  Status s = conn_->Exec("BEGIN; SET LOCAL lock_timeout = " + std::to_string(options_.lock_timeout_ms) +
                         "; SET LOCAL synchronous_commit = off");
  if (s.ok()) s = conn_->Exec(BatchSql(spec_, walk_.qualified(), where), &res);
  if (s.ok()) {
    *rows = res.AffectedRows();
    s = conn_->ExecParams("UPDATE " + state_.Name("backfill") +
                              " SET last_key = $4::jsonb, rows_done = rows_done + $5, done = $4::jsonb IS NULL,"
                              " updated_at = clock_timestamp() WHERE target_schema = $1 AND migration = $2"
                              " AND table_name = $3",
                          {state_.target_schema(), migration_, table_,
                           next.is_null() ? std::nullopt : std::optional<std::string>(next.dump()),
                           std::to_string(*rows)});
  }
  if (s.ok()) s = conn_->Exec("COMMIT");
  if (!s.ok()) (void)conn_->Exec("ROLLBACK");
  return s;
}

// Finds the first row of the failed batch and the expression that fails on it,
// so the message names both instead of only the server's error.
Status TableBackfill::ExplainFailure(const std::string& where, const Status& failure) {
  pg::Result keys;
  if (!conn_->Exec(walk_.KeysSql(where), &keys).ok()) return failure;
  for (int r = 0; r < keys.rows(); ++r) {
    std::vector<std::string> key;
    for (int c = 0; c < keys.columns(); ++c) key.push_back(keys.Get(r, c));
    for (const auto& [name, expr] : BatchExpressions(spec_)) {
      Status s = conn_->Exec("SELECT (" + expr + ") FROM " + walk_.qualified() + " WHERE " + walk_.RowSql(key));
      if (!s.ok())
        return Status::Database("backfill of \"" + table_ + "\": the up expression of column \"" + name +
                                    "\" (" + expr + ") fails for row " +
                                    walk_.Describe(key) + ": " + s.message(),
                                s.sqlstate(), "make `up` handle such rows, then run the command again");
    }
  }
  return failure.WithContext("backfill of \"" + table_ + "\"");
}

Status TableBackfill::Run() {
  Status s = TableWalk::Open(conn_, state_.target_schema(), table_, &walk_);
  Checkpoint cp;
  if (s.ok()) s = LoadCheckpoint(&cp);
  if (!s.ok() || cp.done) return s;
  options_.log("  backfilling \"" + table_ + "\"" + (cp.rows_done ? " from its checkpoint (" +
               std::to_string(cp.rows_done) + " rows done)" : ""));
  auto last_report = std::chrono::steady_clock::now();
  for (bool last = false; !last;) {
    std::string where;
    nlohmann::json next;
    long long rows = 0;
    s = walk_.NextBatch(conn_, cp.last, options_.backfill_batch_rows, &where, &next, &last);
    for (int attempt = 1; s.ok(); ++attempt) {
      s = RunBatch(where, next, &rows);
      if (!s.IsLockTimeout() || attempt >= options_.max_lock_attempts) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
    }
    if (!s.ok()) return s.IsLockTimeout() ? s : ExplainFailure(where, s);
    cp.last = next;
    cp.rows_done += rows;
    if (last || std::chrono::steady_clock::now() - last_report > std::chrono::seconds(2)) {
      options_.log("  backfilled \"" + table_ + "\": " + std::to_string(cp.rows_done) + " rows");
      last_report = std::chrono::steady_clock::now();
    }
  }
  return Status::Ok();
}

}  // namespace

Status Run(pg::Connection* conn, const engine::StateStore& state, const engine::Options& options,
           const std::string& migration, const nlohmann::json& spec) {
  for (const auto& table : spec) {
    TableBackfill backfill(conn, state, options, migration, table);
    Status s = backfill.Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace pleat::backfill
