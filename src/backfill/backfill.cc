#include "backfill/backfill.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "backfill/batch_sizer.h"
#include "backfill/batch_statement.h"
#include "backfill/progress.h"
#include "backfill/table_walk.h"
#include "backfill/throttle.h"
#include "pg/quote.h"

namespace pleat::backfill {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kThrottlePoll = std::chrono::seconds(1);

struct Checkpoint {
  nlohmann::json last = nullptr;
  long long rows_done = 0;
  long long rows_total = 0;
  bool done = false;
};

// One batch: its range, the checkpoint after it and the rows it wrote.
struct Batch {
  std::string where;
  nlohmann::json next;
  bool last = false;
  long long rows = 0;
};

// What every worker of one backfill run shares.
struct Shared {
  const engine::StateStore& state;
  const engine::Options& options;
  const std::string& migration;
  Progress progress;
  Throttle throttle;
  std::atomic<bool> stop{false};  // a worker failed: the others end after their batch in flight
};

class TableBackfill {
 public:
  TableBackfill(pg::Connection* conn, Shared* shared, const nlohmann::json& spec)
      : conn_(conn), sh_(*shared), spec_(spec), table_(spec.at("table").get<std::string>()) {}

  Status Run();

 private:
  Status LoadCheckpoint(Checkpoint* cp);
  Status WaitForReplicas(TableProgress* shown);
  Status BatchWithRetries(const nlohmann::json& from, BatchSizer* sizer, Batch* b);
  Status RunBatch(Batch* b, int batch_rows);
  Status ExplainFailure(const std::string& where, const Status& failure);
  std::vector<std::optional<std::string>> Key() const { return {sh_.state.target_schema(), sh_.migration, table_}; }
  double RowsPerSecond(long long rows) const {
    double s = std::chrono::duration<double>(Clock::now() - run_start_).count();
    return s > 0 ? (run_rows_ + rows) / s : 0;
  }

  pg::Connection* conn_;
  Shared& sh_;
  const nlohmann::json& spec_;
  std::string table_;
  TableWalk walk_;
  Clock::time_point run_start_ = Clock::now();
  long long run_rows_ = 0;  // rows written by this run (not by earlier, interrupted ones)
};

// The row and its rows_total are made once; a resumed run keeps the first estimate.
Status TableBackfill::LoadCheckpoint(Checkpoint* cp) {
  std::string table = sh_.state.Name("backfill");
  std::string where = " WHERE target_schema = $1 AND migration = $2 AND table_name = $3";
  pg::Result res;
  Status s = conn_->ExecParams("SELECT last_key::text, rows_done, rows_total, done FROM " + table + where, Key(), &res);
  if (s.ok() && res.rows() == 0) {
    s = walk_.EstimateRows(conn_, &cp->rows_total);
    std::vector<std::optional<std::string>> params = Key();
    params.push_back(std::to_string(cp->rows_total));
    if (s.ok())
      s = conn_->ExecParams("INSERT INTO " + table + " (target_schema, migration, table_name, rows_total)"
                            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", params);
    return s;
  }
  if (!s.ok()) return s;
  if (!res.IsNull(0, 0)) cp->last = nlohmann::json::parse(res.Get(0, 0));
  cp->rows_done = std::stoll(res.Get(0, 1));
  cp->rows_total = std::stoll(res.Get(0, 2));
  cp->done = res.Get(0, 3) == "t";
  return Status::Ok();
}

// Waits while a replica lags; the reason is kept in the state table for
// `status` until the next batch commits.
Status TableBackfill::WaitForReplicas(TableProgress* shown) {
  auto warn = [this](const std::string& line) { sh_.progress.Log(line); };
  for (bool paused = false;; std::this_thread::sleep_for(kThrottlePoll)) {
    std::string reason;
    Status s = sh_.throttle.Check(conn_, warn, &reason);
    if (!s.ok() || sh_.stop) return s;
    shown->throttled = reason;
    if (reason.empty()) {
      if (paused) sh_.progress.Log("  resuming the backfill of \"" + table_ + "\"");
      return Status::Ok();
    }
    if (!paused) sh_.progress.Log("  pausing the backfill of \"" + table_ + "\": " + reason);
    paused = true;
    sh_.progress.Update(*shown);
    std::vector<std::optional<std::string>> params = Key();
    params.push_back(reason);
    s = conn_->ExecParams("UPDATE " + sh_.state.Name("backfill") + " SET throttled = $4, throttled_since ="
                          " coalesce(throttled_since, clock_timestamp()) WHERE target_schema = $1 AND migration = $2"
                          " AND table_name = $3", params);
    if (!s.ok()) return s;
  }
}

// A batch that hits the lock timeout is rolled back and retried smaller: its
// UPDATE waited lock_timeout at most, and a smaller range is less likely to
// contain the row another transaction holds.
Status TableBackfill::BatchWithRetries(const nlohmann::json& from, BatchSizer* sizer, Batch* b) {
  for (int attempt = 1;; ++attempt) {
    Status s = walk_.NextBatch(conn_, from, sizer->rows(), &b->where, &b->next, &b->last);
    if (!s.ok()) return s;
    auto t0 = Clock::now();
    s = RunBatch(b, sizer->rows());
    if (s.ok()) {
      sizer->Done(b->rows, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      return s;
    }
    if (!s.IsLockTimeout()) return ExplainFailure(b->where, s);
    if (attempt >= sh_.options.max_lock_attempts)
      return s.WithContext("backfill of \"" + table_ + "\"")
          .WithHint("a long transaction holds rows of the table; find it in pg_stat_activity, then run the command "
                    "again (or raise --lock-timeout)");
    sizer->ShrinkAfterLockTimeout();
    sh_.progress.Log("  a batch of \"" + table_ + "\" waited the lock timeout (" +
                     std::to_string(sh_.options.lock_timeout_ms) + " ms); retrying with " +
                     std::to_string(sizer->rows()) + " rows");
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
  }
}

// One batch and its checkpoint commit together: a crash loses at most the batch in flight.
Status TableBackfill::RunBatch(Batch* b, int batch_rows) {
  pg::Result res;
  // synchronous_commit off is safe here: a batch and its checkpoint commit
  // together, so a crash that loses the last commits loses both, and the
  // resumed backfill redoes those batches. It saves a WAL flush per batch.
  Status s = conn_->Exec("BEGIN; SET LOCAL lock_timeout = " + std::to_string(sh_.options.lock_timeout_ms) +
                         "; SET LOCAL synchronous_commit = off");
  if (s.ok()) s = conn_->Exec(BatchSql(spec_, walk_.qualified(), b->where), &res);
  if (s.ok()) {
    b->rows = res.AffectedRows();
    std::vector<std::optional<std::string>> params = Key();
    params.push_back(b->next.is_null() ? std::nullopt : std::optional<std::string>(b->next.dump()));
    params.push_back(std::to_string(b->rows));
    params.push_back(std::to_string(batch_rows));
    params.push_back(std::to_string(RowsPerSecond(b->rows)));
    s = conn_->ExecParams("UPDATE " + sh_.state.Name("backfill") +
                              " SET last_key = $4::jsonb, rows_done = rows_done + $5, done = $4::jsonb IS NULL,"
                              " batches = batches + 1, batch_rows = $6, rows_per_second = $7, throttled = NULL,"
                              " throttled_since = NULL, updated_at = clock_timestamp()"
                              " WHERE target_schema = $1 AND migration = $2 AND table_name = $3",
                          params);
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
  Status s = TableWalk::Open(conn_, sh_.state.target_schema(), table_, &walk_);
  Checkpoint cp;
  if (s.ok()) s = LoadCheckpoint(&cp);
  if (!s.ok() || cp.done) return s;
  sh_.progress.Log("  backfilling \"" + table_ + "\"" + (cp.rows_done ? " from its checkpoint (" +
                   std::to_string(cp.rows_done) + " rows done)" : ""));
  const engine::BackfillOptions& o = sh_.options.backfill;
  BatchSizer sizer(o.min_rows, o.max_rows, std::min(o.target_ms, sh_.options.lock_timeout_ms));
  TableProgress shown{table_, cp.rows_done, cp.rows_total};
  long long batches = 0;
  for (Batch b; !b.last && !sh_.stop; ++batches) {
    s = WaitForReplicas(&shown);
    if (s.ok() && !sh_.stop) s = BatchWithRetries(cp.last, &sizer, &b);
    if (!s.ok() || sh_.stop) return s;
    cp.last = b.next;
    cp.rows_done += b.rows;
    run_rows_ += b.rows;
    shown.rows_done = cp.rows_done;
    shown.rows_per_second = RowsPerSecond(0);
    sh_.progress.Update(shown);
  }
  sh_.progress.Finish(table_);
  if (sh_.stop) return Status::Ok();  // another table failed; this one resumes from its checkpoint
  sh_.progress.Log("  backfilled \"" + table_ + "\": " + std::to_string(cp.rows_done) + " rows (" +
                   std::to_string(batches) + " batches this run, the last sized " + std::to_string(sizer.rows()) +
                   " rows), " + std::to_string(static_cast<long long>(shown.rows_per_second)) + " rows/s");
  return Status::Ok();
}

Status OpenWorkerConnection(const engine::Options& options, pg::Connection* out) {
  Status s = pg::Connection::Open(options.conninfo, out);
  return s.ok() ? out->Exec("SET application_name = 'pleat'") : s;
}

}  // namespace

Status Run(pg::Connection* conn, const engine::StateStore& state, const engine::Options& options,
           const std::string& migration, const nlohmann::json& spec) {
  Shared shared{state, options, migration, Progress(options), Throttle(options.backfill)};
  std::atomic<size_t> next_table{0};
  std::mutex mu;
  Status first_failure;
  // Worker 0 uses the command's own connection; the others open their own.
  auto worker = [&](int id) {
    pg::Connection own;
    Status s = id == 0 ? Status::Ok() : OpenWorkerConnection(options, &own);
    for (size_t i; s.ok() && !shared.stop && (i = next_table++) < spec.size();)
      s = TableBackfill(id == 0 ? conn : &own, &shared, spec[i]).Run();
    if (s.ok()) return;
    std::lock_guard<std::mutex> lock(mu);
    if (first_failure.ok()) first_failure = s;
    shared.stop = true;
  };
  int jobs = static_cast<int>(std::min<size_t>(std::max(1, options.backfill.jobs), spec.size()));
  std::vector<std::thread> threads;
  for (int id = 1; id < jobs; ++id) threads.emplace_back(worker, id);
  worker(0);
  for (auto& t : threads) t.join();
  return first_failure;
}

}  // namespace pleat::backfill
